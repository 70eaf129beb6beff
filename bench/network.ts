/**
 * Network bench (issue 8): virtkit's virtual networks over its API and CLI, beside Debian's libvirt 9.0
 * doing the same in the same run where the bench can start it (bench/lib/network-libvirt.ts: a private
 * libvirtd in a network namespace of its own), else beside the figures for it (docs/bench.md).
 * Rows (bench/lib/network-rows.ts, one code for both): net-start and net-destroy of a NAT network,
 * guest start -> DHCP lease (against the same boot's marker), attach / detach of a NIC, plugging and
 * unplugging 50 NICs, guest-to-guest throughput over the bridge. Medians, ratios, targets with
 * PASS/MISS; targets never fail the run, errors do. virtkit's rows run first, then libvirt's, one guest
 * set at a time. Everything it makes (daemons, dnsmasq, bridges, taps, firewall rules, guests, the
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
import { benchAttach, benchLease, benchPlugMany, benchStartDestroy, benchThroughput, guestNet, type NetworkPlan, type NetworkSide } from './lib/network-rows.js';
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

/** The rows `want`ed, on one side: API-level samples into `api`, whole processes into `proc`. */
async function runRows(side: NetworkSide, plan: NetworkPlan, want: (r: Row) => boolean, api: Samples, proc: Samples, log: (m: string) => void): Promise<void> {
  const who = side.names.prefix;
  if (want('start')) {
    await benchStartDestroy(side, plan, api, proc);
    log(`${who}: net-start ${api.get('netStart')?.median.toFixed(1)} ms, net-destroy ${api.get('netDestroy')?.median.toFixed(1)} ms (API)`);
  }
  if (!(want('lease') || want('attach') || want('plug') || want('throughput'))) return;
  const keep = want('throughput') ? 2 : want('attach') || want('plug') ? 1 : 0;
  const kept = await benchLease(side, { ...plan, leaseReps: want('lease') ? plan.leaseReps : 0 }, api, keep);
  if (want('lease')) log(`${who}: boot ${api.get('boot')?.median.toFixed(0)} ms, lease ${api.get('lease')?.median.toFixed(0)} ms`);
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
  await side.netDestroy(guestNet(side.names));
  await side.undefineNetwork(guestNet(side.names));
}

async function virtkitColumn(plan: NetworkPlan, want: (r: Row) => boolean, cols: NetworkColumns, log: (m: string) => void): Promise<void> {
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
  await runRows(new VirtkitNetworkSide(vk), plan, want, cols.api, cols.cli, log);
  dropNets();
  await vk.dispose();
}

/** libvirt's column, or why it was not run (then the table shows the figures). */
async function libvirtColumn(plan: NetworkPlan, want: (r: Row) => boolean, noLibvirt: boolean, cols: NetworkColumns, log: (m: string) => void): Promise<string> {
  if (noLibvirt) return 'not run (--no-libvirt): figures from issue 8 (Debian libvirt 9.0 on this machine)';
  const bins = findNetworkLibvirt();
  if ('skipped' in bins) return `not run (${bins.skipped}): figures from issue 8 (Debian libvirt 9.0 on this machine)`;
  let side: LibvirtNetworkSide;
  try {
    side = await LibvirtNetworkSide.start(bins);
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
    return `not run (could not be started: ${why}): figures from issue 8 (Debian libvirt 9.0 on this machine)`;
  }
  log(`libvirt: ${bins.describe}; network namespace ${side.ns.name}; dir ${side.lv.dir}`);
  const lv = { api: new Samples(), virsh: new Samples() };
  cols.libvirt = lv;
  await runRows(side, plan, want, lv.api, lv.virsh, log);
  const late = side.lateDetaches;
  await side.dispose();
  return `${bins.describe}, measured in this run in network namespace ${side.ns.name}` +
    (late > 0 ? `; ${late} detach(es) returned before libvirt had removed the NIC` : '');
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
  await virtkitColumn(plan, want, cols, log);
  const libvirt = await libvirtColumn(plan, want, values['no-libvirt'] ?? false, cols, log);
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
