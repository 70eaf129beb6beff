/**
 * buildInstallPlan: virt-install's command line + the OS + the host -> the domain XML of each phase, the
 * volumes and files to make, and how to run it. Pure: randomness (UUID, MACs, passwords, temp names) is
 * injected, the host is described by HostFacts. The parts live in build-*.ts, one concept each.
 */
import { VirtkitError } from '../errors.js';
import { checkInstallConflicts } from '../options/install-conflicts.js';
import { cloudInitSeed, type CloudInitFiles } from './cloud-init.js';
import { has, last, raw, unreadKeys, uses } from './build-args.js';
import { buildChars } from './build-chars.js';
import { cpuElement, cputuneElement, iothreadElements, memoryBacking, memoryElements, numatuneElement, vcpuElement } from './build-cpu.js';
import { buildControllers, buildGraphics, buildHostdevs, buildInputs, buildTail, buildVideoSound, graphicsType } from './build-devices.js';
import { anyBootOrder, buildDisks, isoLocation } from './build-disks.js';
import { buildInterfaces } from './build-network.js';
import { hasInstallPhase, renderPhase, type InstallMethod, type PhaseInput } from './build-phases.js';
import { clockElement, draftOs, eventElements, featuresElement, isQ35, machineType, metadataElements, pmElement, sysinfoElement } from './build-platform.js';
import type { Draft } from './draft.js';
import { isWindows, osMetadataId } from './os-support.js';
import { el, type XNode } from './xml-out.js';
import type { HostFacts, InstallArgs, InstallPlan, InstallRandom, OsInfo, PlannedCloudInit } from './types.js';

const draftUefi = (args: InstallArgs): boolean => {
  const b = last(args, 'boot');
  return b.bool('uefi') === true || b.get('firmware') === 'efi';
};

/** Flags whose keys other parts read: the cloud-init seed's content (cloud-init.ts), the daemon's --check. */
const READ_ELSEWHERE = new Set(['cloud-init', 'check']);

const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

function installMethod(args: InstallArgs): InstallMethod {
  if (has(args, 'cdrom')) return 'cdrom';
  if (has(args, 'location')) return 'location';
  if (has(args, 'pxe')) return 'pxe';
  if (last(args, 'boot').has('kernel')) return 'kernel';
  return 'import';
}

/** The --location kernel and initrd: given as location's kernel=/initrd=, else from the OS's media (ISO) or tree (URL). */
function locationFiles(args: InstallArgs, os: OsInfo, host: HostFacts): { kernel: string; initrd: string; iso: string | null; base: string } {
  const l = last(args, 'location');
  const loc = l.get('location') ?? '';
  const iso = isoLocation(args) ?? null;
  const src = iso !== null ? os.media.find((m) => m.arch === host.arch && m.kernel !== null) : os.trees.find((t) => t.arch === host.arch && t.kernel !== null);
  const kernel = l.get('kernel') ?? src?.kernel ?? null;
  const initrd = l.get('initrd') ?? src?.initrd ?? null;
  if (kernel === null || initrd === null) {
    throw new VirtkitError('INVALID_ARGUMENT', `--location ${loc}: the OS database knows no kernel/initrd for ${os.shortId} on ${host.arch}; give them as --location ${loc},kernel=PATH,initrd=PATH`, { details: { flag: 'location' } });
  }
  return { kernel, initrd, iso, base: loc };
}

/**
 * The seed: its place (virt-install's name, under the boot directory) and its content (cloud-init.ts), from the
 * last --cloud-init (argparse keeps the last) and the files it names (`files`: cloudInitFilePaths' paths, read by
 * the caller). Its warnings join the plan's.
 */
function cloudInitPlan(args: InstallArgs, host: HostFacts, rand: InstallRandom, files: CloudInitFiles): { plan: PlannedCloudInit; warnings: string[] } | null {
  const use = uses(args, 'cloud-init').at(-1);
  if (use === undefined) return null;
  const seed = cloudInitSeed(use.opts, files, (bound) => rand.int(bound));
  return {
    plan: {
      path: `${host.bootDir}/virtinst-${rand.token()}-cloudinit.iso`,
      userData: seed.userData, metaData: seed.metaData, networkConfig: seed.networkConfig, generatedRootPassword: seed.generatedRootPassword,
    },
    warnings: seed.warnings,
  };
}

/** `cloudInitFiles`: the contents of the files --cloud-init names (cloudInitFilePaths), keyed by the path as given. */
export function buildInstallPlan(args: InstallArgs, os: OsInfo, host: HostFacts, rand: InstallRandom, cloudInitFiles: CloudInitFiles = new Map()): InstallPlan {
  checkInstallConflicts(args);
  const meta = last(args, 'metadata');
  const name = meta.get('name') ?? raw(args, 'name') ?? '';
  const virtType = raw(args, 'virt-type') ?? (host.virtTypes.includes('kvm') ? 'kvm' : 'qemu');
  if (!host.virtTypes.includes(virtType)) {
    throw new VirtkitError(virtType === 'kvm' ? 'KVM_UNAVAILABLE' : 'INVALID_ARGUMENT', `--virt-type ${virtType}: this host offers ${host.virtTypes.join(', ')}`, { details: { flag: 'virt-type' } });
  }
  if (draftUefi(args) && host.firmware.length === 0) {
    throw new VirtkitError('HOST_UNSUPPORTED', `Did not find any UEFI binary path for arch '${host.arch}': install the ovmf package (its firmware descriptors in /usr/share/qemu/firmware)`, { details: { flag: 'boot' } });
  }
  const arch = raw(args, 'arch');
  if (arch !== undefined && arch !== host.arch) {
    throw new VirtkitError('HOST_UNSUPPORTED', `--arch ${arch}: this host's emulator is ${host.emulator} (${host.arch}); other architectures are not supported`, { details: { flag: 'arch' } });
  }
  const machine = machineType(args, os, host);
  const q35 = isQ35(machine, host);
  const graphics = graphicsType(args, host);
  const method = installMethod(args);
  const disks = buildDisks(args, os, host, name, q35);
  const scsi = disks.devices.some((d) => d.node.children.some((c) => c.name === 'target' && c.attrs.some(([k, v]) => k === 'bus' && v === 'scsi')));
  const vs = buildVideoSound(args, os, q35, graphics);
  const tail = buildTail(args, os, q35);
  const sysinfo = sysinfoElement(args);
  const cpu = cpuElement(args) ?? (virtType === 'kvm' ? hostPassthrough() : null);
  const draft: Draft = {
    name,
    uuid: meta.get('uuid') ?? rand.uuid(),
    head: [...metadataElements(args, osMetadataId(os)), ...iothreadElements(args), ...memoryElements(args, os),
      ...[memoryBacking(args), vcpuElement(args), cputuneElement(args), numatuneElement(args), sysinfo].filter((x) => x !== null)],
    os: draftOs(args, machine, host),
    tail: [featuresElement(args, os, graphics), ...(cpu ? [cpu] : []), clockElement(args, os), ...eventElements(args), pmElement()],
    emulator: host.emulator,
    windows: isWindows(os),
    devices: [
      ...disks.devices, ...buildControllers(args, os, q35, scsi), ...buildInterfaces(args, os, host, q35, () => rand.mac()),
      ...buildChars(args, os, graphics), ...buildInputs(args, graphics), ...tail.tpm, ...buildGraphics(args, graphics),
      ...vs.sound, ...vs.video, ...buildHostdevs(args), ...vs.redirdev, ...tail.watchdog, ...tail.memballoon, ...tail.rng,
    ],
  };
  const copies: InstallPlan['copies'] = [];
  let location: PhaseInput['location'] = null;
  if (method === 'location') {
    const f = locationFiles(args, os, host);
    const k = `${host.bootDir}/virtinst-${rand.token()}-${basename(f.kernel)}`;
    const i = `${host.bootDir}/virtinst-${rand.token()}-${basename(f.initrd)}`;
    const from = (p: string): string => (f.iso !== null ? p : `${f.base.replace(/\/$/, '')}/${p}`);
    copies.push({ from: from(f.kernel), to: k, isoPath: f.iso }, { from: from(f.initrd), to: i, isoPath: f.iso });
    location = { kernel: k, initrd: i, cmdline: raw(args, 'extra-args') ?? null };
  }
  const seed = cloudInitPlan(args, host, rand, cloudInitFiles);
  const cloudInit = seed?.plan ?? null;
  const phase: PhaseInput = {
    method, virtType, location, perDeviceBoot: anyBootOrder(args),
    cloudInit: cloudInit ? { path: cloudInit.path, ...cdromTarget(draft, q35) } : null,
  };
  const unread = unreadKeys(args, READ_ELSEWHERE);
  if (unread.length > 0) {
    const list = unread.map((u) => `--${u.flag} ${u.key}`).join(', ');
    throw new VirtkitError('INVALID_ARGUMENT', `not supported by virtkit yet: ${list} (virt-install accepts it; leave it out or see docs/install.md)`, { details: { unsupported: unread } });
  }
  const phases = hasInstallPhase(phase) ? [renderPhase(draft, true, phase), renderPhase(draft, false, phase)] : [renderPhase(draft, false, phase)];
  const dryRun = has(args, 'dry-run') || has(args, 'print-xml');
  const waitRaw = uses(args, 'wait').at(-1)?.raw;
  const autoconsole = has(args, 'noautoconsole') ? 'none' : ((raw(args, 'autoconsole') as InstallPlan['autoconsole'] | undefined) ?? (graphics === null ? 'text' : 'graphical'));
  return {
    name, phases, volumes: disks.volumes, cloudInit, copies,
    autostart: has(args, 'autostart'), transient: has(args, 'transient'), autoconsole,
    waitMinutes: waitRaw === undefined ? null : waitRaw === '' ? -1 : Number(waitRaw),
    noreboot: has(args, 'noreboot'), start: !dryRun, warnings: seed?.warnings ?? [],
  };
}

/** virt-install 4.1's CPU default under KVM on x86_64 (the reference cases' README). */
const hostPassthrough = (): XNode => el('cpu', { mode: 'host-passthrough' });

/** The next free target on the cdrom bus, for the cloud-init seed. */
function cdromTarget(draft: Draft, q35: boolean): { bus: string; dev: string } {
  const bus = q35 ? 'sata' : 'ide';
  const prefix = bus === 'sata' ? 'sd' : 'hd';
  const used = new Set(draft.devices.flatMap((d) => d.node.children.filter((c) => c.name === 'target').flatMap((c) => c.attrs.filter(([k]) => k === 'dev').map(([, v]) => v))));
  let n = 0;
  while (used.has(prefix + String.fromCharCode(97 + n))) n++;
  return { bus, dev: prefix + String.fromCharCode(97 + n) };
}

