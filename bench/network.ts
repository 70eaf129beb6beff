/**
 * Network bench (issue 8): virtkit's virtual networks over its API and CLI, beside libvirt 9.0's
 * figures from the issue (this bench does not start libvirt's network driver: docs/bench.md).
 * Rows: net-start and net-destroy of a NAT network, guest start -> DHCP lease (against the same
 * boot's marker), attach / detach of a NIC, plugging and unplugging 50 NICs, guest-to-guest
 * throughput over the bridge. Medians, ratios, targets with PASS/MISS; targets never fail the
 * run, errors do. Everything it makes (daemon, dnsmasq, bridges, taps, nft tables, guests, temp
 * dirs) is removed at the end, on an error and on SIGINT/SIGTERM.
 *   npm run build && node dist/bench/network.js [--quick] [--json] [--only start,lease,attach,plug,throughput]
 * CLI processes run with PATH only in their environment (NODE_EXTRA_CA_CERTS unset).
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { load1, now, onCleanup, runCleanups } from './lib/proc.js';
import { networkTableRows, renderNetworkTable, type NetworkColumns } from './lib/network-report.js';
import { benchAttach, benchLease, benchPlugMany, benchStartDestroy, benchThroughput, GUEST_NET, PREFIX, type NetworkPlan } from './lib/network-virtkit.js';
import { Samples } from './lib/stats.js';
import { VirtkitInstance } from './lib/virtkit-instance.js';

const FULL: NetworkPlan = { startReps: 21, cliReps: 5, leaseReps: 5, attachReps: 20, plugCount: 50, plugBatch: 10, throughputMiB: 16, throughputReps: 3 };
const QUICK: NetworkPlan = { startReps: 5, cliReps: 2, leaseReps: 2, attachReps: 5, plugCount: 10, plugBatch: 5, throughputMiB: 4, throughputReps: 1 };
const ROWS = ['start', 'lease', 'attach', 'plug', 'throughput'] as const;
type Row = (typeof ROWS)[number];
const run = promisify(execFile);

/** Links and nft tables of this run still on the host (what clean-up must have removed). */
async function leftovers(): Promise<string[]> {
  const links = (JSON.parse((await run('ip', ['-j', 'link', 'show'])).stdout) as { ifname: string }[]).map((l) => l.ifname).filter((n) => n.startsWith(PREFIX));
  const tables = (await run('nft', ['list', 'tables'])).stdout.split('\n').filter((l) => l.includes(PREFIX));
  return [...links, ...tables];
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, json: { type: 'boolean' }, only: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(`usage: node dist/bench/network.js [--quick] [--json] [--only ROW,...]\n  ROW: ${ROWS.join(', ')}\n`);
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
  log(`plan ${JSON.stringify(plan)}; prefix ${PREFIX}; root ${vk.root}`);
  if (want('start')) {
    await benchStartDestroy(vk, plan, cols.api, cols.cli);
    log(`net-start ${cols.api.get('netStart')?.median.toFixed(1)} ms, net-destroy ${cols.api.get('netDestroy')?.median.toFixed(1)} ms (API)`);
  }
  const guests = want('lease') || want('attach') || want('plug') || want('throughput');
  if (guests) {
    const keep = want('throughput') ? 2 : want('attach') || want('plug') ? 1 : 0;
    const kept = await benchLease(vk, { ...plan, leaseReps: want('lease') ? plan.leaseReps : 0 }, cols.api, keep);
    if (want('lease')) log(`boot ${cols.api.get('boot')?.median.toFixed(0)} ms, lease ${cols.api.get('lease')?.median.toFixed(0)} ms`);
    const [a, b] = kept;
    if (a !== undefined && want('attach')) {
      await benchAttach(vk, a, plan, cols.api);
      log(`attach ${cols.api.get('attach')?.median.toFixed(1)} ms, detach ${cols.api.get('detach')?.median.toFixed(1)} ms`);
    }
    if (a !== undefined && want('plug')) {
      await benchPlugMany(vk, a, plan, cols.api);
      log(`plug ${plan.plugCount}: ${cols.api.get('plugTotal')?.median.toFixed(0)} ms, unplug ${cols.api.get('unplugTotal')?.median.toFixed(0)} ms`);
    }
    if (a !== undefined && b !== undefined && want('throughput')) {
      await benchThroughput(a, b, plan, cols.api);
      log(`throughput ${cols.api.get('throughput')?.median.toFixed(1)} MiB/s`);
    }
    for (const g of kept) g.console.close();
    await vk.destroyAll();
    await vk.client.networkAction(GUEST_NET, 'destroy');
  }
  dropNets();
  await vk.dispose();
  dropCheck();
  const left = await leftovers();
  if (left.length > 0) throw new Error(`left behind: ${left.join(', ')}`);

  const meta = {
    date: new Date().toISOString(), quick: values.quick ?? false, only, plan, prefix: PREFIX,
    libvirt: 'not run: figures from issue 8 (Debian libvirt 9.0 on this machine)',
    host: { cpus: cpus().length, loadBefore, loadAfter: load1(), node: process.version },
    seconds: Math.round((now() - t0) / 100) / 10,
  };
  if (values.json) {
    const table = networkTableRows(cols, plan.plugCount, plan.throughputMiB);
    process.stdout.write(`${JSON.stringify({ ...meta, table, samples: { api: cols.api.toJSON(), cli: cols.cli.toJSON() } }, null, 2)}\n`);
  } else {
    process.stdout.write(`network bench, ${meta.date}: ${meta.host.cpus} CPUs, load ${loadBefore.toFixed(2)} -> ${meta.host.loadAfter.toFixed(2)}, ` +
      `node ${process.version}, ${meta.seconds} s${meta.quick ? ' (--quick)' : ''}; libvirt: ${meta.libvirt}\n`);
    process.stdout.write('medians, (n) = samples; CLI rows are whole `virtkit` processes with PATH as their whole environment\n\n');
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
