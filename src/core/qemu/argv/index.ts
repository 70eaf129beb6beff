/**
 * Step 4 of the domain pipeline (parse -> prepareDomain -> validate -> argv):
 * a prepared DomainDef plus QEMU capabilities plus runtime paths give the
 * QEMU command line, in libvirt's syntax and order. Pure and deterministic:
 * no fs, no clock; everything host-specific comes in through RuntimePaths.
 * What may import this: host/ and daemon/ (to spawn), cli (domxml-to-native).
 */
import { VirtkitError } from '../../errors.js';
import { bootIndexes } from './boot-order.js';
import type { ArgvCaps } from './caps-view.js';
import { toArgvCaps } from './caps-view.js';
import type { QemuCaps } from '../caps.js';
import { buildCharDevices } from './chardev.js';
import type { BuildCtx } from './context.js';
import { buildControllers } from './controllers.js';
import { buildCpu, buildIothreads, buildSmp } from './cpu.js';
import { buildDisks, diskParts, type DiskParts } from './disks.js';
import { buildMemory, buildNuma, numaCells } from './memory.js';
import { buildBalloon, buildHostdevs, buildPanics, buildRngs, buildSmbios, buildWatchdogs, refuseUntranslated } from './misc-devices.js';
import { buildNet, netParts, type NetParts } from './net.js';
import {
  buildBoot,
  buildClock,
  buildDisplayAndMonitor,
  buildLifecycleAndPm,
  buildLoader,
  buildMachine,
  buildName,
  buildTail,
  buildUuid,
} from './preamble.js';
import type { PreparedDomain, QemuArgv, RuntimePaths } from './types.js';
import { buildAudio, buildGraphics, buildInputs, buildVideo } from './video-graphics.js';

export type { ArgvCaps } from './caps-view.js';
export { capsView } from './caps-view.js';
export type { HugepageDir, PreparedDomain, QemuArgv, RuntimePaths, SocketSpec, TapFds } from './types.js';
export { formatArgsText, shellQuote } from './format.js';
export { escapeOptValue, keyval } from './escape.js';
export type { DiskParts } from './disks.js';

function qemuEnv(paths: RuntimePaths): Record<string, string> {
  const pass = paths.passEnv ?? {};
  const env: Record<string, string> = { LC_ALL: 'C' };
  if (pass.PATH !== undefined) env.PATH = pass.PATH;
  env.HOME = paths.libDir;
  if (pass.USER !== undefined) env.USER = pass.USER;
  if (pass.LOGNAME !== undefined) env.LOGNAME = pass.LOGNAME;
  env.XDG_DATA_HOME = `${paths.libDir}/.local/share`;
  env.XDG_CACHE_HOME = `${paths.libDir}/.cache`;
  env.XDG_CONFIG_HOME = `${paths.libDir}/.config`;
  return env;
}

function isQ35(def: PreparedDomain): boolean {
  const m = def.os?.type?.machine ?? '';
  return m === 'q35' || m.startsWith('pc-q35');
}

/**
 * The QEMU command line for a prepared domain. `caps` is the record of the
 * QEMU that will run it (or an ArgvCaps view for tests); anything the domain
 * needs that this QEMU lacks is VirtkitError('QEMU_UNSUPPORTED').
 */
function buildCtx(def: PreparedDomain, caps: ArgvCaps, paths: RuntimePaths): BuildCtx {
  return { def, devices: def.devices ?? {}, caps, paths, args: [], q35: isQ35(def), bootIndex: bootIndexes(def) };
}

/**
 * The -blockdev nodes (named libvirt-N-*) and the -device of the disk with target `dev` in a
 * prepared domain, as JSON objects: what a disk hotplug sends (blockdev-add, device_add).
 * Only host CD-ROM drives of RuntimePaths matter to a disk; the rest is not read.
 */
export function buildDiskParts(
  def: PreparedDomain, qemuCaps: QemuCaps | ArgvCaps, dev: string, n: number,
  paths: Pick<RuntimePaths, 'hostCdroms' | 'diskSecretFiles' | 'diskAuthFiles'> = {},
): DiskParts {
  const d = (def.devices?.disk ?? []).find((x) => x.target?.dev === dev);
  if (d === undefined) throw new VirtkitError('INTERNAL_ERROR', `no disk with target '${dev}' in the prepared domain`);
  // A disk with <encryption> or <source><auth> gets its secret objects from the key files in `paths`.
  return diskParts(buildCtx(def, toArgvCaps(qemuCaps), { libDir: '', monitor: { path: '' }, ...paths }), d, n);
}

/** The netdev_add and device_add arguments of the prepared domain's interface with alias `alias` (NIC hotplug). */
export function buildNetParts(def: PreparedDomain, qemuCaps: QemuCaps | ArgvCaps, alias: string): NetParts {
  const list = def.devices?.interface ?? [];
  const i = list.findIndex((x) => x.alias?.name === alias);
  const n = list[i];
  if (n === undefined) throw new VirtkitError('INTERNAL_ERROR', `no interface with alias '${alias}' in the prepared domain`);
  return netParts(buildCtx(def, toArgvCaps(qemuCaps), { libDir: '', monitor: { path: '' } }), n, i);
}

export function buildQemuArgv(def: PreparedDomain, qemuCaps: QemuCaps | ArgvCaps, paths: RuntimePaths): QemuArgv {
  const caps = toArgvCaps(qemuCaps);
  // i686 guests run on qemu-system-x86_64 too (libvirt's tests do exactly that).
  const arch = def.os?.type?.arch ?? 'x86_64';
  if (arch !== 'x86_64' && arch !== 'i686') throw new VirtkitError('QEMU_UNSUPPORTED', `/domain/os/type/@arch: '${arch}' guests are not supported (x86_64, i686)`);
  const binary = paths.binary ?? def.devices?.emulator ?? caps.binary;
  if (binary === undefined) throw new VirtkitError('QEMU_NOT_FOUND', 'no QEMU binary: the domain has no <emulator> and the capabilities name none');
  const ctx = buildCtx(def, caps, paths);
  refuseUntranslated(ctx);
  const hasNuma = numaCells(ctx).length > 0;

  buildName(ctx);
  buildMachine(ctx, hasNuma);
  buildCpu(ctx);
  buildLoader(ctx);
  buildMemory(ctx);
  buildSmp(ctx);
  buildIothreads(ctx);
  if (hasNuma) buildNuma(ctx);
  buildUuid(ctx);
  buildSmbios(ctx);
  buildDisplayAndMonitor(ctx);
  buildClock(ctx);
  buildLifecycleAndPm(ctx);
  buildBoot(ctx);
  buildControllers(ctx);
  buildDisks(ctx);
  buildNet(ctx);
  buildCharDevices(ctx);
  buildInputs(ctx);
  buildAudio(ctx);
  buildGraphics(ctx);
  buildVideo(ctx);
  buildWatchdogs(ctx);
  buildHostdevs(ctx);
  buildBalloon(ctx);
  buildRngs(ctx);
  buildPanics(ctx);
  buildTail(ctx);

  return { binary, args: ctx.args, env: qemuEnv(paths) };
}
