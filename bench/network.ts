/**
 * Network bench (issue 8): virtkit's virtual networks over its API and CLI, beside Debian's libvirt 9.0
 * doing the same in the same run where the bench can start it (bench/lib/network-libvirt.ts: a private
 * libvirtd in a network namespace of its own), else beside the issue's figures for it (docs/bench.md).
 * Rows (bench/lib/network-rows.ts, one code for both): net-start and net-destroy of a NAT network,
 * guest start -> DHCP lease (against the same boot's marker), attach / detach of a NIC, plugging and
 * unplugging 50 NICs, guest-to-guest throughput over the bridge. Medians, ratios, targets with
 * PASS/MISS; targets never fail the run, errors do. Both daemons run for the whole run; net-start /
 * net-destroy and the lease row interleave the sides repetition by repetition (one guest at a time),
 * then each side's guest rows run in turn on guests of its own. Everything it makes (daemons, dnsmasq, bridges, taps, firewall rules, guests, the
 * namespace, temp dirs) is removed at the end, on an error and on SIGINT/SIGTERM.
 *   npm run build && node dist/bench/network.js [--quick] [--json] [--no-libvirt] [--only start,lease,attach,plug,throughput]
 * CLI and virsh processes run with PATH (virsh also LC_ALL=C) only in their environment.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { load1, now, onCleanup, runCleanups } from './lib/proc.js';
import { findNetworkLibvirt, LIBVIRT_PREFIX, LibvirtNetworkSide } from './lib/network-libvirt.js';
import { networkTableRows, renderNetworkTable, type NetworkColumns } from './lib/network-report.js';
import { benchAttach, benchLease, benchPlugMany, benchStartDestroy, benchThroughput, bootKept, startGuestNet, stopGuestNet, type NetworkPlan, type SideRun } from './lib/network-rows.js';
import { PREFIX, VirtkitNetworkSide } from './lib/network-virtkit.js';
import { Samples } from './lib/stats.js';
import { VirtkitInstance } from './lib/virtkit-instance.js';

const FULL: NetworkPlan = { startReps: 21, cliReps: 5, leaseReps: 5, attachReps: 20, plugCount: 50, plugBatch: 10, throughputMiB: 16, throughputReps: 3 };
const QUICK: NetworkPlan = { startReps: 5, cliReps: 2, leaseReps: 2, attachReps: 5, plugCount: 10, plugBatch: 5, throughputMiB: 4, throughputReps: 1 };
const ROWS = ['start', 'lease', 'attach', 'plug', 'throughput'] as const;
type Row = (typeof ROWS)[number];
const run = promisify(execFile);

/** Links and nft tables of this run on the host, and its namespace: what clean-up must have removed (libvirt's never were on the host). */
async function leftovers(): Promise<string[]> {
  const mine = (s: string): boolean => s.includes(PREFIX) || s.includes(LIBVIRT_PREFIX);
  const links = (JSON.parse((await run('ip', ['-j', 'link', 'show'])).stdout) as { ifname: string }[]).map((l) => l.ifname).filter(mine);
  const tables = (await run('nft', ['list', 'tables'])).stdout.split('\n').filter(mine);
  const netns = (await run('ip', ['netns', 'list'])).stdout.split('\n').filter(mine).map((l) => `netns ${l}`);
  return [...links, ...tables, ...netns];
}

/** The rows `want`ed: net-start and the lease with the sides interleaved, then each side's guest rows in turn. */
async function runRows(runs: readonly SideRun[], plan: NetworkPlan, want: (r: Row) => boolean, log: (m: string) => void): Promise<void> {
  const ms = (r: SideRun, k: string, d = 1): string => `${r.side.names.prefix} ${r.api.get(k)?.median.toFixed(d)}`;
  if (want('start')) {
    await benchStartDestroy(runs, plan);
    log(`net-start ${runs.map((r) => ms(r, 'netStart')).join(', ')} ms; net-destroy ${runs.map((r) => ms(r, 'netDestroy')).join(', ')} ms (API)`);
  }
  if (!(want('lease') || want('attach') || want('plug') || want('throughput'))) return;
  for (const { side } of runs) await startGuestNet(side);
  if (want('lease')) {
    await benchLease(runs, plan);
    log(`boot ${runs.map((r) => ms(r, 'boot', 0)).join(', ')} ms; lease ${runs.map((r) => ms(r, 'lease', 0)).join(', ')} ms`);
  }
  const keep = want('throughput') ? 2 : want('attach') || want('plug') ? 1 : 0;
  for (const { side, api } of runs) {
    const who = side.names.prefix;
    const kept = await bootKept(side, keep, plan.leaseReps);
    const [a, b] = kept;
    if (a !== undefined && want('attach')) {
      await benchAttach(side, a, plan, api);
      log(`${who}: attach ${api.get('attach')?.median.toFixed(1)} ms, detach ${api.get('detach')?.median.toFixed(1)} ms`);
    }
    if (a !== undefined && want('plug')) {
      await benchPlugMany(side, a, plan, api);
      log(`${who}: plug ${plan.plugCount}: ${api.get('plugTotal')?.median.toFixed(0)} ms, unplug ${api.get('unplugTotal')?.median.toFixed(0)} ms`);
    }
    if (a !== undefined && b !== undefined && want('throughput')) {
      await benchThroughput(a, b, plan, api);
      log(`${who}: throughput ${api.get('throughput')?.median.toFixed(1)} MiB/s`);
    }
    for (const g of kept) {
      g.console.close();
      await side.removeGuest(g.name);
    }
  }
  for (const { side } of runs) await stopGuestNet(side);
}

/** The rooted virtkitd on the host, its root passable for dnsmasq's user. */
async function startVirtkit(log: (m: string) => void): Promise<{ side: VirtkitNetworkSide; dispose: () => Promise<void> }> {
  const vk = await VirtkitInstance.create();
  // Runs before vk's own clean-up (last in, first out): guests, then this run's networks (the
  // daemon leaves networks running when it stops).
  const dropNets = onCleanup(async () => {
    if (vk.child?.exitCode !== null) return;
    await vk.destroyAll().catch(() => undefined);
    for (const net of await vk.client.listNetworks({ active: true })) {
      if (net.name.startsWith(PREFIX)) await vk.client.networkAction(net.name, 'destroy');
    }
  });
  // dnsmasq drops to an unprivileged user and rereads its hosts files: it must get through the root.
  await chmod(vk.root, 0o711);
  await mkdir(join(vk.root, 'run'), { recursive: true, mode: 0o711 });
  await vk.startDaemon();
  await chmod(join(vk.root, 'run'), 0o711);
  log(`virtkit: prefix ${PREFIX}; root ${vk.root}`);
  return { side: new VirtkitNetworkSide(vk), dispose: async () => { dropNets(); await vk.dispose(); } };
}

const ISSUE = 'figures from issue 8 (Debian libvirt 9.0 on this machine)';

/** libvirt's side, or why it is not run (then the table shows the issue's figures). */
async function startLibvirt(noLibvirt: boolean, log: (m: string) => void): Promise<{ side: LibvirtNetworkSide; describe: string } | { note: string }> {
  if (noLibvirt) return { note: `not run (--no-libvirt): ${ISSUE}` };
  const bins = findNetworkLibvirt();
  if ('skipped' in bins) return { note: `not run (${bins.skipped}): ${ISSUE}` };
  try {
    const side = await LibvirtNetworkSide.start(bins);
    log(`libvirt: ${bins.describe}; network namespace ${side.ns.name}; dir ${side.lv.dir}`);
    return { side, describe: `${bins.describe}, measured in this run in network namespace ${side.ns.name}` };
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
    return { note: `not run (could not be started: ${why}): ${ISSUE}` };
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, json: { type: 'boolean' }, 'no-libvirt': { type: 'boolean' }, only: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(`usage: node dist/bench/network.js [--quick] [--json] [--no-libvirt] [--only ROW,...]\n  ROW: ${ROWS.join(', ')}\n`);
    return 0;
  }
  if (process.getuid?.() !== 0) throw new Error('the network bench makes bridges, taps and nft tables: run it as root');
  const only = values.only?.split(',') ?? [...ROWS];
  const bad = only.filter((r) => !(ROWS as readonly string[]).includes(r));
  if (bad.length > 0) throw new Error(`--only: unknown row ${bad.join(', ')}; rows: ${ROWS.join(', ')}`);
  const want = (r: Row): boolean => only.includes(r);
  const plan = values.quick ? QUICK : FULL;
  const t0 = now();
  const log = (m: string): void => { process.stderr.write(`[${((now() - t0) / 1000).toFixed(1)}s load ${load1().toFixed(2)}] ${m}\n`); };
  const loadBefore = load1();
  const cols: NetworkColumns = { api: new Samples(), cli: new Samples() };
  const dropCheck = onCleanup(async () => {
    const left = await leftovers();
    if (left.length > 0) throw new Error(`left behind: ${left.join(', ')}`);
  });
  log(`plan ${JSON.stringify(plan)}`);
  const vk = await startVirtkit(log);
  const lv = await startLibvirt(values['no-libvirt'] ?? false, log);
  const runs: SideRun[] = [{ side: vk.side, api: cols.api, proc: cols.cli }];
  if ('side' in lv) {
    cols.libvirt = { api: new Samples(), virsh: new Samples() };
    runs.push({ side: lv.side, api: cols.libvirt.api, proc: cols.libvirt.virsh });
  }
  await runRows(runs, plan, want, log);
  let libvirt = 'note' in lv ? lv.note : lv.describe;
  if ('side' in lv) {
    if (lv.side.lateDetaches > 0) libvirt += `; ${lv.side.lateDetaches} detach(es) returned before libvirt had removed the NIC`;
    await lv.side.dispose();
  }
  await vk.dispose();
  log(`libvirt: ${libvirt}`);
  dropCheck();
  const left = await leftovers();
  if (left.length > 0) throw new Error(`left behind: ${left.join(', ')}`);

  const meta = {
    date: new Date().toISOString(), quick: values.quick ?? false, only, plan, prefix: PREFIX, libvirtPrefix: LIBVIRT_PREFIX, libvirt,
    host: { cpus: cpus().length, loadBefore, loadAfter: load1(), node: process.version },
    seconds: Math.round((now() - t0) / 100) / 10,
  };
  if (values.json) {
    const table = networkTableRows(cols, plan.plugCount, plan.throughputMiB);
    const samples = { api: cols.api.toJSON(), cli: cols.cli.toJSON(), libvirt: cols.libvirt?.api.toJSON() ?? null, virsh: cols.libvirt?.virsh.toJSON() ?? null };
    process.stdout.write(`${JSON.stringify({ ...meta, table, samples }, null, 2)}\n`);
  } else {
    process.stdout.write(`network bench, ${meta.date}: ${meta.host.cpus} CPUs, load ${loadBefore.toFixed(2)} -> ${meta.host.loadAfter.toFixed(2)}, ` +
      `node ${process.version}, ${meta.seconds} s${meta.quick ? ' (--quick)' : ''}\nlibvirt: ${meta.libvirt}\n`);
    process.stdout.write('medians, (n) = samples; CLI rows are whole `virtkit` processes with PATH as their whole environment' +
      (cols.libvirt ? '; libvirt API = commands of one virsh shell, libvirt virsh = whole `virsh` processes' : '') + '\n\n');
    process.stdout.write(`${renderNetworkTable(cols, plan.plugCount, plan.throughputMiB)}\n`);
  }
  return 0;
}

let stopping = false;
async function stop(code: number, why?: unknown): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (why !== undefined) process.stderr.write(`network bench: ${why instanceof Error ? why.stack ?? why.message : String(why)}\n`);
  const errors = await runCleanups();
  for (const e of errors) process.stderr.write(`network bench: clean-up: ${e}\n`);
  process.exit(errors.length > 0 && code === 0 ? 1 : code);
}

process.once('SIGINT', () => void stop(130, 'interrupted'));
process.once('SIGTERM', () => void stop(143, 'terminated'));
main().then((code) => stop(code), (e: unknown) => stop(1, e));
