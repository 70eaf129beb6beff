/**
 * Install bench (issue 9): `virtkit install --import` of the tiny image as a linked clone, from the
 * CLI process's start to the guest's DHCP lease, beside Debian's virt-install + libvirt 9.0 doing the
 * same install of the same image (a qcow2 overlay on it) where the bench can start libvirt. Both run
 * inside one network namespace the bench makes, each with its own NAT network (bridge and subnet);
 * the repetitions alternate virtkit, libvirt, after one uncounted first install on each. Phases
 * (bench/lib/install-watch.ts): the command returns, QEMU started, the lease. Medians and the ratio
 * virtkit/libvirt per row; errors fail the run, nothing is a threshold. Everything it makes (daemons,
 * networks, guests, volumes, temp dirs, the namespace) is removed at the end, on an error and on
 * SIGINT/SIGTERM; the packages bench/install-setup.sh installed stay.
 *   npm run build && node dist/bench/install.js [--quick] [--reps N] [--no-libvirt] [--json]
 */
import { randomBytes, randomInt } from 'node:crypto';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { findInstallLibvirt, LibvirtInstallSide } from './lib/install-libvirt.js';
import { installTableRows, renderInstallTable, type InstallColumns } from './lib/install-report.js';
import { VirtkitInstallSide } from './lib/install-virtkit.js';
import { POLL_MS, timeInstall, type InstallPhases } from './lib/install-watch.js';
import { NetNs } from './lib/netns.js';
import { load1, now, runCleanups } from './lib/proc.js';
import { Samples } from './lib/stats.js';

interface Side {
  run: VirtkitInstallSide['run'];
  remove(name: string): Promise<void>;
}

const id = randomBytes(2).toString('hex');
const PREFIX = `vkbi${id}`;
const mac = (i: number): string => `52:54:00:b9:${id.slice(0, 2)}:${i.toString(16).padStart(2, '0')}`;

/** One install on `side`, timed, then removed (not timed). */
async function once(side: Side, name: string, m: string, out: Samples, first: boolean): Promise<InstallPhases> {
  const p = await timeInstall(side.run(name, m));
  if (first) {
    out.add('firstReturned', p.returned);
    out.add('firstLease', p.lease);
  } else {
    out.add('returned', p.returned);
    out.add('qemu', p.qemu);
    out.add('lease', p.lease);
    out.add('qemuToLease', p.lease - p.qemu);
    if (p.marker !== undefined) {
      out.add('marker', p.marker);
      out.add('qemuToMarker', p.marker - p.qemu);
      out.add('markerToLease', p.lease - p.marker);
    }
  }
  await side.remove(name);
  return p;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, json: { type: 'boolean' }, reps: { type: 'string' }, 'no-libvirt': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write('usage: node dist/bench/install.js [--quick] [--reps N] [--no-libvirt] [--json]\n');
    return 0;
  }
  if (process.getuid?.() !== 0) throw new Error('the install bench makes a network namespace, bridges and guests: run it as root');
  const reps = values.reps !== undefined ? Number(values.reps) : values.quick ? 2 : 7;
  if (!Number.isInteger(reps) || reps < 1 || reps > 60) throw new Error(`--reps: a whole number from 1 to 60, not ${values.reps}`);
  const t0 = now();
  const log = (m: string): void => { process.stderr.write(`[${((now() - t0) / 1000).toFixed(1)}s load ${load1().toFixed(2)}] ${m}\n`); };
  const loadBefore = load1();
  const n = randomInt(10, 250);
  const ns = await NetNs.create(PREFIX);
  log(`${reps} repetitions; prefix ${PREFIX}; network namespace ${ns.name}`);
  const vk = await VirtkitInstallSide.start(ns.exec, PREFIX, `10.243.${n}`);
  const image = (await vk.vk.client.listVolumes('default')).find((v) => v.name === 'tiny.qcow2')?.path;
  if (image === undefined) throw new Error('virtkit image build put no tiny.qcow2 into the default pool');
  log(`virtkit: daemon ${vk.vk.root}, network ${vk.network} on 10.243.${n}.0/24, image ${image}`);

  let libvirtNote = 'not run: --no-libvirt';
  let lv: LibvirtInstallSide | undefined;
  const found = values['no-libvirt'] ? undefined : findInstallLibvirt();
  if (found !== undefined && 'skipped' in found) libvirtNote = `not run: ${found.skipped}`;
  else if (found !== undefined) {
    try {
      lv = await LibvirtInstallSide.start(found.bins, found.virtInstall, ns.exec, PREFIX, `10.244.${n}`, image);
      libvirtNote = `${found.bins.describe}, virt-install ${found.virtInstall}, network ${lv.network} on 10.244.${n}.0/24`;
    } catch (e) {
      libvirtNote = `not run: could not be started: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  log(`libvirt: ${libvirtNote}`);
  const cols: InstallColumns = { virtkit: new Samples(), libvirt: lv ? new Samples() : undefined };
  const show = (who: string, p: InstallPhases): void => log(`${who}: returned ${p.returned.toFixed(0)} ms, QEMU ${p.qemu.toFixed(0)} ms, marker ${p.marker?.toFixed(0) ?? '-'} ms, lease ${p.lease.toFixed(0)} ms`);

  show('virtkit first', await once(vk, `${PREFIX}-v-first`, mac(0x7f), cols.virtkit, true));
  if (lv && cols.libvirt) show('libvirt first', await once(lv, `${PREFIX}-l-first`, mac(0xff), cols.libvirt, true));
  for (let i = 0; i < reps; i++) {
    show(`virtkit ${i + 1}/${reps}`, await once(vk, `${PREFIX}-v${i}`, mac(i), cols.virtkit, false));
    if (lv && cols.libvirt) show(`libvirt ${i + 1}/${reps}`, await once(lv, `${PREFIX}-l${i}`, mac(0x80 + i), cols.libvirt, false));
  }
  await lv?.dispose();
  await vk.dispose();
  await ns.dispose();

  const meta = {
    date: new Date().toISOString(), quick: values.quick ?? false, reps, prefix: PREFIX, pollMs: POLL_MS, libvirt: libvirtNote,
    host: { cpus: cpus().length, loadBefore, loadAfter: load1(), node: process.version },
    seconds: Math.round((now() - t0) / 100) / 10,
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ...meta, table: installTableRows(cols), samples: { virtkit: cols.virtkit.toJSON(), libvirt: cols.libvirt?.toJSON() } }, null, 2)}\n`);
  } else {
    process.stdout.write(`install bench, ${meta.date}: ${meta.host.cpus} CPUs, load ${loadBefore.toFixed(2)} -> ${meta.host.loadAfter.toFixed(2)}, ` +
      `node ${process.version}, ${meta.seconds} s${meta.quick ? ' (--quick)' : ''}\nlibvirt: ${libvirtNote}\n`);
    process.stdout.write(`medians from the install command's spawn, (n) = repetitions; phases polled every ${POLL_MS} ms\n\n`);
    process.stdout.write(`${renderInstallTable(cols)}\n`);
  }
  return 0;
}

let stopping = false;
async function stop(code: number, why?: unknown): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (why !== undefined) process.stderr.write(`install bench: ${why instanceof Error ? why.stack ?? why.message : String(why)}\n`);
  const errors = await runCleanups();
  for (const e of errors) process.stderr.write(`install bench: clean-up: ${e}\n`);
  process.exit(errors.length > 0 && code === 0 ? 1 : code);
}

process.once('SIGINT', () => void stop(130, 'interrupted'));
process.once('SIGTERM', () => void stop(143, 'terminated'));
main().then((code) => stop(code), (e: unknown) => stop(1, e));
