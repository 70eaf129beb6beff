/**
 * Disk hotplug as plans of QMP commands, the way libvirt's qemuDomainAttachDiskGeneric and
 * qemuDomainRemoveDiskDevice do it: attach = blockdev-add of the disk's nodes (storage, then
 * format) and device_add of its front-end; detach = device_del, wait for DEVICE_DELETED, then
 * blockdev-del of the nodes, top first. The node and device properties come from the argv
 * builder (buildDiskParts), so a hotplugged disk is the disk the command line would have made;
 * its PCI address and alias come from prepareDomain run on the live definition with the disk
 * added, so they are what a start would have given it. A disk with <encryption> or an rbd
 * <auth> first gets its secret objects (object-add, qom-type secret, reading the key files the
 * driver wrote), as qemuDomainAttachDiskGeneric's secinfo; a detach deletes them (object-del)
 * after the nodes. Pure: the driver carries the plans out.
 */
import { VirtkitError } from '../../errors.js';
import type { DomainDef } from '../../xml/domain/index.js';
import type { DeviceAddress } from '../../xml/domain/schema/address.js';
import type { DiskDef } from '../../xml/domain/schema/disk.js';
import type { ArgvCaps } from '../argv/index.js';
import { buildDiskParts } from '../argv/index.js';
import type { QemuCaps } from '../caps.js';
import type { QmpBlockInfo } from '../qmp/command-types.js';

export interface QmpCall {
  readonly command: string;
  readonly args: Readonly<Record<string, unknown>>;
}

/** One step of a plan and what undoes it when a later step fails. */
export interface PlanStep {
  readonly call: QmpCall;
  readonly undo?: QmpCall;
}

export interface DiskAttachPlan {
  /** The live definition with the disk in it (prepared: the disk has its address and alias). */
  readonly live: DomainDef;
  readonly disk: DiskDef;
  readonly alias: string;
  /** blockdev-add of each node, then device_add; run in order, undo backwards on failure. */
  readonly steps: readonly PlanStep[];
}

export interface DiskDetachPlan {
  /** The live definition without the disk. */
  readonly live: DomainDef;
  readonly disk: DiskDef;
  /** The device id QEMU reports in DEVICE_DELETED. */
  readonly alias: string;
  readonly deviceDel: QmpCall;
  /** blockdev-del of the disk's nodes, top (format) first, once the device is gone. */
  readonly blockdevDel: readonly QmpCall[];
  /** object-del of the disk's secret objects (its LUKS key, its cephx key), after the nodes. */
  readonly objectDel: readonly QmpCall[];
}

/** The key files of the disk being attached (0600, in the domain's run dir), by kind. */
export interface AttachKeyFiles {
  readonly encryption?: string;
  readonly auth?: string;
}

/** Buses whose disks QEMU can plug and unplug while the guest runs. */
const HOTPLUG_BUSES = new Set(['virtio', 'scsi', 'usb']);

const controllerKeys = (def: DomainDef): string[] => (def.devices?.controller ?? []).map((c) => `${c.type}:${c.index ?? 0}:${c.model ?? ''}`);

/** The N of the next libvirt-N node names: past every N in use and past the disk count. */
export function nodeIndex(def: DomainDef, usedNodeNames: readonly string[]): number {
  let max = (def.devices?.disk ?? []).length;
  for (const n of usedNodeNames) {
    const m = /^libvirt-(\d+)-/.exec(n);
    if (m?.[1] !== undefined) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}

function noRoom(live: DomainDef, dev: string, why: string, cause?: unknown): VirtkitError {
  return new VirtkitError('ADDRESS_CONFLICT', `cannot hot-plug disk '${dev}' into domain '${live.name}': ${why}`, { details: { target: dev }, ...(cause === undefined ? {} : { cause }) });
}

function refuseBus(bus: string, dev: string, what: 'attach' | 'detach'): VirtkitError {
  return new VirtkitError('OPERATION_INVALID',
    `cannot ${what} disk '${dev}' on bus '${bus}' while the domain runs: QEMU hot-plugs disks only on virtio, scsi and usb buses; ` +
    `use --config to change the definition, which applies at the next start`, { details: { target: dev, bus } });
}

/** A free slot on one of the domain's conventional PCI buses (pci-root, pci-bridge), as a PCI address. */
function freePciSlot(def: DomainDef): DeviceAddress | undefined {
  const buses = (def.devices?.controller ?? []).filter((c) => c.type === 'pci' && (c.model === 'pci-root' || c.model === 'pci-bridge'));
  const used = new Set<string>();
  for (const list of Object.values(def.devices ?? {})) {
    for (const d of Array.isArray(list) ? list : [list]) {
      const a = (d as { address?: DeviceAddress } | undefined)?.address;
      if (a?.type === 'pci') used.add(`${a.bus}:${a.slot}`);
    }
  }
  for (const c of buses) {
    const bus = c.index ?? 0;
    for (let slot = 1; slot < 32; slot++) {
      if (!used.has(`${bus}:${slot}`)) return { type: 'pci', domain: 0, bus, slot, function: 0 };
    }
  }
  return undefined;
}

/** The disk of `live` whose target (vdb) or source file/device is `ref`, as virsh detach-disk finds it. */
export function findDisk(live: DomainDef, ref: string): DiskDef | undefined {
  const disks = live.devices?.disk ?? [];
  return disks.find((d) => d.target?.dev === ref) ?? disks.find((d) => d.source?.file === ref || d.source?.dev === ref);
}

export function noSuchDisk(name: string, ref: string): VirtkitError {
  return new VirtkitError('NOT_FOUND', `domain '${name}' has no disk whose target or source is '${ref}'`, { details: { domain: name, disk: ref } });
}

/**
 * The plan that plugs `disk` into the running domain whose prepared live definition is `live`.
 * `usedNodeNames` are the block node names QEMU has now (query-named-block-nodes), so the new
 * nodes get a fresh libvirt-N.
 */
export function planDiskAttach(
  live: DomainDef, disk: DiskDef, caps: QemuCaps | ArgvCaps, prepare: (def: DomainDef) => DomainDef, usedNodeNames: readonly string[],
  keyFiles: AttachKeyFiles = {},
): DiskAttachPlan {
  const dev = disk.target?.dev ?? '';
  if (findDisk(live, dev)?.target?.dev === dev) {
    throw new VirtkitError('XML_DUPLICATE', `domain '${live.name}' already has a disk with target '${dev}'`, { details: { target: dev } });
  }
  const withDisk = (d: DiskDef): DomainDef => {
    const added = structuredClone(live);
    const devices = (added.devices ??= {});
    devices.disk = [...(devices.disk ?? []), structuredClone(d)];
    return prepare(added);
  };
  const before = controllerKeys(live);
  const grownBy = (def: DomainDef): string[] => controllerKeys(def).filter((k) => !before.includes(k));
  const virtio = (disk.target?.bus ?? (dev.startsWith('vd') ? 'virtio' : undefined)) === 'virtio';
  let next: DomainDef;
  try {
    next = withDisk(disk);
  } catch (e) {
    // A full pc bus makes prepareDomain add a pci-bridge it has no slot for.
    if (disk.address !== undefined || !virtio || !(e instanceof VirtkitError) || (e.code !== 'XML_CONFLICT' && e.code !== 'ADDRESS_CONFLICT')) throw e;
    const slot = freePciSlot(live);
    if (slot === undefined) throw noRoom(live, dev, 'there is no free slot on its PCI buses; add a pci-bridge to the definition and restart it', e);
    next = withDisk({ ...disk, address: slot });
  }
  // On pc, prepareDomain keeps the last free slot for a future pci-bridge (libvirt does so at
  // start) and would add the bridge rather than use it; a hotplug takes that slot, as libvirt's.
  const first = grownBy(next);
  const spare = disk.address === undefined && virtio && first.length > 0 && first.every((k) => k.startsWith('pci:') && k.endsWith(':pci-bridge'))
    ? freePciSlot(live) : undefined;
  if (spare !== undefined) next = withDisk({ ...disk, address: spare });
  const placed = findDisk(next, dev) as DiskDef;
  const bus = placed.target?.bus ?? 'ide';
  if (placed.device === 'cdrom' || placed.device === 'floppy') {
    throw new VirtkitError('OPERATION_INVALID', `cannot hot-plug ${placed.device} drive '${dev}': QEMU cannot add a ${placed.device} drive to a running guest; ` +
      'use change-media to change the medium of an existing drive, or --config to add the drive at the next start', { details: { target: dev } });
  }
  if (!HOTPLUG_BUSES.has(bus)) throw refuseBus(bus, dev, 'attach');
  const grown = grownBy(next);
  if (grown.length > 0) {
    const q35 = grown.some((k) => k.includes('pcie-root-port'));
    const why = bus !== 'virtio' ? `there is no ${bus} controller to plug it into (it would need ${grown.join(', ')})`
      : q35 ? "there is no free pcie-root-port; add <controller type='pci' model='pcie-root-port'/> to the definition and restart it"
        : 'there is no free slot on its PCI buses; add a pci-bridge to the definition and restart it';
    throw noRoom(live, dev, why);
  }
  const alias = placed.alias?.name ?? '';
  const parts = buildDiskParts(next, caps, dev, nodeIndex(live, usedNodeNames), {
    ...(keyFiles.encryption === undefined ? {} : { diskSecretFiles: { [dev]: keyFiles.encryption } }),
    ...(keyFiles.auth === undefined ? {} : { diskAuthFiles: { [dev]: keyFiles.auth } }),
  });
  const steps: PlanStep[] = parts.objects.map((o) => ({
    call: { command: 'object-add', args: o },
    undo: { command: 'object-del', args: { id: o['id'] } },
  }));
  steps.push(...parts.nodes.map((node) => ({
    call: { command: 'blockdev-add', args: node },
    undo: { command: 'blockdev-del', args: { 'node-name': node['node-name'] } },
  })));
  steps.push({ call: { command: 'device_add', args: parts.device } });
  return { live: next, disk: placed, alias, steps };
}

/** The block nodes the front-end `alias` uses, from query-block: its top node, and the storage under a format node. */
export function diskNodes(alias: string, blocks: readonly QmpBlockInfo[]): string[] {
  const b = blocks.find((x) => x.qdev === alias || x.qdev?.startsWith(`/machine/peripheral/${alias}/`) === true);
  const top = b?.inserted?.['node-name'];
  if (top === undefined) return [];
  const m = /^libvirt-(\d+)-format$/.exec(top);
  return m ? [top, `libvirt-${m[1] ?? ''}-storage`] : [top];
}

/**
 * The ids of the secret objects of `disk` whose nodes are `nodes` (diskNodes): the argv builder
 * names them after the disk's libvirt-N (disks.ts encryption/auth), at start and at hotplug.
 */
export function diskSecretIds(disk: DiskDef, nodes: readonly string[]): string[] {
  const n = nodes.map((x) => /^libvirt-(\d+)-(?:format|storage)$/.exec(x)?.[1]).find((x) => x !== undefined);
  if (n === undefined) return [];
  return [
    ...(disk.encryption !== undefined ? [`libvirt-${n}-format-encryption-secret0`] : []),
    ...(disk.source?.auth !== undefined ? [`libvirt-${n}-storage-secret0`] : []),
  ];
}

/** The plan that unplugs the disk `ref` (target or source) from the running domain. */
export function planDiskDetach(live: DomainDef, ref: string, blocks: readonly QmpBlockInfo[]): DiskDetachPlan {
  const disk = findDisk(live, ref);
  if (disk === undefined) throw noSuchDisk(live.name, ref);
  const bus = disk.target?.bus ?? 'ide';
  if (!HOTPLUG_BUSES.has(bus)) throw refuseBus(bus, disk.target?.dev ?? ref, 'detach');
  const alias = disk.alias?.name;
  if (alias === undefined) throw new VirtkitError('INTERNAL_ERROR', `disk '${ref}' of the running domain '${live.name}' has no alias`);
  const next = structuredClone(live);
  if (next.devices) next.devices.disk = (next.devices.disk ?? []).filter((d) => d.alias?.name !== alias);
  const nodes = diskNodes(alias, blocks);
  return {
    live: next, disk, alias,
    deviceDel: { command: 'device_del', args: { id: alias } },
    blockdevDel: nodes.map((n) => ({ command: 'blockdev-del', args: { 'node-name': n } })),
    objectDel: diskSecretIds(disk, nodes).map((id) => ({ command: 'object-del', args: { id } })),
  };
}

/** block_resize of the disk `ref`'s top node (the image, not the file under a qcow2). */
export function planBlockResize(live: DomainDef, ref: string, blocks: readonly QmpBlockInfo[], bytes: number): QmpCall {
  const disk = findDisk(live, ref);
  if (disk === undefined) throw noSuchDisk(live.name, ref);
  const top = diskNodes(disk.alias?.name ?? '', blocks)[0];
  if (top === undefined) {
    throw new VirtkitError('OPERATION_INVALID', `disk '${ref}' of domain '${live.name}' has no medium to resize`, { details: { disk: ref } });
  }
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new VirtkitError('INVALID_ARGUMENT', `cannot resize disk '${ref}' to ${bytes} bytes`);
  return { command: 'block_resize', args: { 'node-name': top, size: bytes } };
}
