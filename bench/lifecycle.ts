/**
 * Lifecycle bench (issue 3): bare QEMU, virtkit over its API and its CLI, and
 * Debian's libvirt when installed, side by side in one run, on the test guest
 * (TCG, 256 MiB, direct kernel boot). Prints medians, ratios and the issue's
 * targets with PASS/MISS; targets never fail the run, errors do.
 *   npm run build && node dist/bench/lifecycle.js [--quick] [--no-libvirt] [--json]
 * What each row measures and how: docs/bench.md.
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { ensureTestGuest } from '../tests/helpers/guest.js';
import { BareQemu, benchBareConcurrent } from './lib/bare-qemu.js';
import { QEMU } from './lib/guest.js';
import { benchLibvirt, findLibvirt } from './lib/libvirt-bench.js';
import { load1, now, runCleanups } from './lib/proc.js';
import { renderTable, tableRows, type Columns } from './lib/report.js';
import { Samples } from './lib/stats.js';
import { benchVirtkit, type Plan } from './lib/virtkit-bench.js';

const FULL: Plan = { reps: 7, queryReps: 20, cliReps: 5, listSizes: [1, 100, 500], concurrent: 10, readyReps: 5 };
const QUICK: Plan = { reps: 2, queryReps: 5, cliReps: 2, listSizes: [1, 50], concurrent: 3, readyReps: 2 };

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean' }, 'no-libvirt': { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write('usage: node dist/bench/lifecycle.js [--quick] [--no-libvirt] [--json]\n');
    return 0;
  }
  const plan = values.quick ? QUICK : FULL;
  const log = (m: string): void => { process.stderr.write(`[${((now() - t0) / 1000).toFixed(1)}s load ${load1().toFixed(2)}] ${m}\n`); };
  const t0 = now();
  const loadBefore = load1();
  const guest = await ensureTestGuest();
  const libvirt = values['no-libvirt'] ? { skipped: '--no-libvirt' as const } : findLibvirt();
  const cols: Columns = { bare: new Samples(), api: new Samples(), cli: new Samples(), libvirt: 'skipped' in libvirt ? undefined : new Samples() };
  log(`plan ${JSON.stringify(plan)}; libvirt: ${'skipped' in libvirt ? `skipped (${libvirt.skipped})` : libvirt.describe}`);

  const bare = await BareQemu.create(guest);
  await bare.rep(new Samples()); // warm-up (page cache, QEMU's own first start): not counted
  const bareRep = async (): Promise<void> => {
    await bare.rep(cols.bare);
    log(`bare QEMU: medians so far: QMP ready ${cols.bare.get('qmpReady')?.median.toFixed(1)} ms, marker ${cols.bare.get('marker')?.median.toFixed(0)} ms`);
  };
  await benchVirtkit(guest, plan, cols.api, cols.cli, bareRep, log);
  await bare.dispose();
  await benchBareConcurrent(guest, plan.concurrent, cols.bare);
  log(`bare QEMU: ${plan.concurrent} concurrent guests up in ${cols.bare.get('concurrentAll')?.median.toFixed(0)} ms`);
  if (cols.libvirt && !('skipped' in libvirt)) await benchLibvirt(guest, plan, libvirt, cols.libvirt, log);

  const meta = {
    date: new Date().toISOString(),
    quick: values.quick ?? false,
    plan,
    host: { cpus: cpus().length, loadBefore, loadAfter: load1(), qemu: qemuVersion(), node: process.version },
    libvirt: 'skipped' in libvirt ? { skipped: libvirt.skipped } : { how: libvirt.describe },
    seconds: Math.round((now() - t0) / 100) / 10,
  };
  if (values.json) {
    const raw = { bare: cols.bare.toJSON(), api: cols.api.toJSON(), cli: cols.cli.toJSON(), libvirt: cols.libvirt?.toJSON() ?? null };
    process.stdout.write(`${JSON.stringify({ ...meta, table: tableRows(cols, plan.listSizes, plan.concurrent), samples: raw }, null, 2)}\n`);
  } else {
    process.stdout.write(`lifecycle bench, ${meta.date}: ${meta.host.cpus} CPUs, load ${loadBefore.toFixed(2)} -> ${meta.host.loadAfter.toFixed(2)}, ` +
      `${meta.host.qemu}, node ${process.version}, ${meta.seconds} s${meta.quick ? ' (--quick)' : ''}\n`);
    process.stdout.write('medians in ms or MiB, (n) = samples; API/bare and vk/libvirt are ratios of medians (vk/libvirt: CLI vs virsh where the CLI has a value)\n\n');
    process.stdout.write(`${renderTable(cols, plan.listSizes, plan.concurrent)}\n`);
  }
  return 0;
}

function qemuVersion(): string {
  try {
    return execFileSync(QEMU, ['--version'], { encoding: 'utf8' }).split('\n')[0]?.replace(/^QEMU emulator version /, 'QEMU ') ?? QEMU;
  } catch {
    return QEMU;
  }
}

let stopping = false;
async function stop(code: number, why?: unknown): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (why !== undefined) process.stderr.write(`lifecycle bench: ${why instanceof Error ? why.stack ?? why.message : String(why)}\n`);
  const errors = await runCleanups();
  for (const e of errors) process.stderr.write(`lifecycle bench: clean-up: ${e}\n`);
  process.exit(errors.length > 0 && code === 0 ? 1 : code);
}

process.once('SIGINT', () => void stop(130, 'interrupted'));
process.once('SIGTERM', () => void stop(143, 'terminated'));
main().then((code) => stop(code), (e: unknown) => stop(1, e));
