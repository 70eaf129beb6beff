/**
 * Storage bench (issue 7): virtkit (API and CLI), the tools alone (qemu-img,
 * cp) and Debian's libvirt 9.0 where it can run, side by side in one run:
 * vol-list --details of 500 volumes, a linked clone, vol-upload / vol-download
 * of 256 MiB (fsync'ed), 20 VMs' disks from one base (linked vs full) and the
 * qcow2 header read vs qemu-img info. Prints medians, ratios and the issue's
 * targets with PASS/MISS; targets never fail the run, errors do.
 *   npm run build && node dist/bench/storage.js [--quick] [--no-libvirt] [--json] [--only list,clone,transfer,provision,header]
 *     [--clone-reps N] [--clone-against DIR]
 * --clone-against DIR: the second daemon of the clone row runs another build (DIR/bin/virtkitd, a copy
 * of a checkout's bin/, dist/ and package.json with its node_modules) instead of V8's default flags: A/B.
 * CLI processes run with PATH only in their environment (NODE_EXTRA_CA_CERTS unset, as in a
 * user's shell). What each row measures: docs/bench.md.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { load1, now, onCleanup, runCleanups, runTimed } from './lib/proc.js';
import { renderStorageTable, type StorageColumns } from './lib/storage-report.js';
import { benchHeader, benchLinkedClone, benchProvision, benchTransfer, benchVolList, removeVolumes, type StoragePlan } from './lib/storage-virtkit.js';
import { Samples } from './lib/stats.js';
import { findStorageLibvirt, startStorageLibvirt } from './lib/storage-libvirt.js';
import { benchLibvirtStorage } from './lib/storage-libvirt-rows.js';
import { VirtkitInstance } from './lib/virtkit-instance.js';

const FULL: StoragePlan = { volumes: 500, listReps: 11, cloneReps: 21, transferMiB: 256, transferReps: 5, vms: 20, headerImages: 20 };
const ROWS = ['list', 'clone', 'transfer', 'provision', 'header'] as const;
type Row = (typeof ROWS)[number];
const QUICK: StoragePlan = { volumes: 50, listReps: 2, cloneReps: 3, transferMiB: 32, transferReps: 1, vms: 4, headerImages: 4 };

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' }, 'no-libvirt': { type: 'boolean' }, json: { type: 'boolean' }, only: { type: 'string' }, 'clone-reps': { type: 'string' }, 'clone-against': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`usage: node dist/bench/storage.js [--quick] [--no-libvirt] [--json] [--only ROW,...] [--clone-reps N] [--clone-against DIR]\n  ROW: ${ROWS.join(', ')} (--only skips libvirt)\n`);
    return 0;
  }
  const only = values.only?.split(',') ?? [...ROWS];
  const bad = only.filter((r) => !(ROWS as readonly string[]).includes(r));
  if (bad.length > 0) throw new Error(`--only: unknown row ${bad.join(', ')}; rows: ${ROWS.join(', ')}`);
  const want = (r: Row): boolean => only.includes(r);
  const reps = values['clone-reps'] === undefined ? undefined : Number(values['clone-reps']);
  if (reps !== undefined && !(Number.isInteger(reps) && reps > 0)) throw new Error(`--clone-reps: '${values['clone-reps']}' is not a positive integer`);
  const against = values['clone-against'];
  if (against !== undefined && !existsSync(join(against, 'bin', 'virtkitd'))) throw new Error(`--clone-against: no ${join(against, 'bin', 'virtkitd')}`);
  const plan = { ...(values.quick ? QUICK : FULL), ...(reps === undefined ? {} : { cloneReps: reps }) };
  const t0 = now();
  const log = (m: string): void => { process.stderr.write(`[${((now() - t0) / 1000).toFixed(1)}s load ${load1().toFixed(2)}] ${m}\n`); };
  const loadBefore = load1();
  const cols: StorageColumns = { tool: new Samples(), api: new Samples(), cli: new Samples(), libvirt: undefined };
  const libvirt = values['no-libvirt'] ? '--no-libvirt' : values.only !== undefined ? '--only' : await libvirtColumn(plan, cols, log);

  const work = await mkdtemp(join(tmpdir(), 'vkb-st-'));
  const dropWork = onCleanup(() => rm(work, { recursive: true, force: true }));
  const vk = await VirtkitInstance.create();
  await vk.startDaemon();
  const dir = (await vk.client.getPool('default')).target ?? '';
  log(`plan ${JSON.stringify(plan)}; pool default at ${dir}; libvirt: ${libvirt}`);
  if (want('list')) {
    await benchVolList(vk, dir, plan, cols.cli, cols.api);
    log(`vol-list --details of ${plan.volumes}: CLI ${cols.cli.get('volList')?.median.toFixed(1)} ms, API ${cols.api.get('volList')?.median.toFixed(1)} ms`);
    await removeVolumes(vk, dir);
  }
  if (want('clone')) {
    // A second daemon for the same vol-clone: V8's default flags (VIRTKITD_V8_DEFAULTS=1), or another build.
    const alt = await VirtkitInstance.create();
    if (against === undefined) await alt.startDaemon({ VIRTKITD_V8_DEFAULTS: '1' });
    else await alt.startDaemon({}, resolve(against, 'bin', 'virtkitd'));
    await benchLinkedClone(vk, dir, plan, cols.tool, cols.api, {
      vk: alt, dir: (await alt.client.getPool('default')).target ?? '', ...(against === undefined ? {} : { key: 'cloneOther' }),
    });
    await alt.dispose();
    log(`linked clone: qemu-img ${cols.tool.get('clonePrestarted')?.median.toFixed(1)} ms (spawned by node ${cols.tool.get('clone')?.median.toFixed(1)}), API ${cols.api.get('clone')?.median.toFixed(1)} ms`);
    await removeVolumes(vk, dir);
  }
  if (want('transfer')) {
    await benchTransfer(vk, dir, work, plan, cols.tool, cols.api, cols.cli);
    log(`transfer: upload ${cols.api.get('upload')?.median.toFixed(0)} MiB/s, download ${cols.api.get('download')?.median.toFixed(0)} MiB/s (API)`);
    await removeVolumes(vk, dir);
  }
  if (want('provision')) await benchProvision(vk, dir, plan, cols.tool, cols.api);
  if (want('header')) await benchHeader(work, plan, cols.tool, cols.api);
  await vk.dispose();
  dropWork();
  await rm(work, { recursive: true, force: true });

  const meta = {
    date: new Date().toISOString(), quick: values.quick ?? false, only, plan, libvirt,
    host: { cpus: cpus().length, loadBefore, loadAfter: load1(), node: process.version },
    seconds: Math.round((now() - t0) / 100) / 10,
  };
  if (values.json) {
    const raw = { tool: cols.tool.toJSON(), api: cols.api.toJSON(), cli: cols.cli.toJSON(), libvirt: cols.libvirt?.toJSON() ?? null };
    process.stdout.write(`${JSON.stringify({ ...meta, samples: raw }, null, 2)}\n`);
  } else {
    process.stdout.write(`storage bench, ${meta.date}: ${meta.host.cpus} CPUs, load ${loadBefore.toFixed(2)} -> ${meta.host.loadAfter.toFixed(2)}, ` +
      `node ${process.version}, ${meta.seconds} s${meta.quick ? ' (--quick)' : ''}; libvirt: ${libvirt}\n`);
    process.stdout.write('medians, (n) = samples; tool = qemu-img or cp alone; CLI rows are whole `virtkit` processes, run (as virsh) with ' +
      'PATH as their whole environment (NODE_EXTRA_CA_CERTS unset)\n\n');
    process.stdout.write(`${renderStorageTable(cols, plan.volumes, plan.transferMiB, plan.vms)}\n`);
  }
  return 0;
}

/** The libvirt column (run first, and stopped before virtkit starts), or why it is skipped. */
async function libvirtColumn(plan: StoragePlan, cols: StorageColumns, log: (m: string) => void): Promise<string> {
  const found = findStorageLibvirt();
  if ('skipped' in found) return `skipped (${found.skipped})`;
  const lv = await startStorageLibvirt(found.root);
  try {
    const version = (await runTimed(join(found.root, 'usr', 'sbin', 'libvirtd'), ['--version'], { allowFail: true })).stdout.trim() || 'libvirtd';
    cols.libvirt = new Samples();
    await benchLibvirtStorage(lv, plan, cols.libvirt, log);
    return `Debian ${version} from ${found.root}, storage driver only`;
  } finally {
    await lv.dispose();
  }
}

let stopping = false;
async function stop(code: number, why?: unknown): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (why !== undefined) process.stderr.write(`storage bench: ${why instanceof Error ? why.stack ?? why.message : String(why)}\n`);
  const errors = await runCleanups();
  for (const e of errors) process.stderr.write(`storage bench: clean-up: ${e}\n`);
  process.exit(errors.length > 0 && code === 0 ? 1 : code);
}

process.once('SIGINT', () => void stop(130, 'interrupted'));
process.once('SIGTERM', () => void stop(143, 'terminated'));
main().then((code) => stop(code), (e: unknown) => stop(1, e));
