/**
 * Disks: for each <disk>, a storage node (file, host_device, host_cdrom, or a
 * network protocol: network-disks.ts)
 * named libvirt-N-storage, a format node libvirt-N-format when the format is
 * not raw, and the front-end -device. N counts down from the number of disks
 * in XML order. A storage node under a format node carries
 * "auto-read-only":true,"discard":"unmap"; a raw disk's single node carries
 * "read-only" itself (libvirt-notes sect. 8).
 */
import type { DiskDef } from '../../xml/domain/schema/disk.js';
import { needBackend, needDevice, propOk } from './caps-view.js';
import type { BuildCtx } from './context.js';
import { addrOf, aliasOf, pciProps, push, refuse, usbProps } from './context.js';
import { jsonOpt } from './escape.js';
import { networkStorageProps } from './network-disks.js';

// cache mode -> [cache.direct, cache.no-flush, write-cache]
const CACHE: Record<string, readonly [boolean, boolean, 'on' | 'off']> = {
  writeback: [false, false, 'on'],
  none: [true, false, 'on'],
  writethrough: [false, false, 'off'],
  directsync: [true, false, 'off'],
  unsafe: [false, true, 'on'],
};

function where(d: DiskDef): string {
  return `/domain/devices/disk[target/@dev='${d.target?.dev ?? '?'}']`;
}

function storageProps(ctx: BuildCtx, d: DiskDef): Record<string, unknown> | undefined {
  const src = d.source;
  const type = d.type ?? 'file';
  switch (type) {
    case 'file':
      if (src?.file === undefined) return undefined;
      return { driver: 'file', filename: src.file, ...(d.driver?.io ? { aio: d.driver.io } : {}) };
    case 'block': {
      if (src?.dev === undefined) return undefined;
      // host_cdrom only for a real CD-ROM drive (media change, tray); other block devices are host_device
      const cdrom = d.device === 'cdrom' && (ctx.paths.hostCdroms ?? []).includes(src.dev);
      return { driver: cdrom ? 'host_cdrom' : 'host_device', filename: src.dev, ...(d.driver?.io ? { aio: d.driver.io } : {}) };
    }
    case 'network':
      return networkStorageProps(d, where(d));
    default:
      throw refuse(`${where(d)}/@type`, `disk type '${type}' is not supported (file, block, network)`);
  }
}

/** libvirt's per-queue IOThread mapping: QEMU's iothread-vq-mapping (virtio-blk, QEMU 9.0+). */
function iothreadVqMapping(ctx: BuildCtx, m: NonNullable<NonNullable<DiskDef['driver']>['iothreads']>, w: string): unknown[] {
  if (!propOk(ctx.caps, 'virtio-blk-pci', 'iothread-vq-mapping')) {
    const v = ctx.caps.version;
    throw refuse(`${w}/driver/iothreads`,
      `several IOThreads per disk need virtio-blk's 'iothread-vq-mapping' property (QEMU 9.0 or later), which QEMU ${v.major}.${v.minor}.${v.micro} lacks; ` +
      "use <driver iothread='N'> (one IOThread for the disk) instead");
  }
  return (m.iothread ?? []).map((t) => ({ iothread: `iothread${t.id}`, ...((t.queue ?? []).length > 0 ? { vqs: (t.queue ?? []).map((q) => q.id) } : {}) }));
}

function frontend(ctx: BuildCtx, d: DiskDef, drive: string | undefined, boot: number | undefined, wc: 'on' | 'off' | undefined): Record<string, unknown> {
  const w = where(d);
  const alias = aliasOf(d, w);
  const bus = d.target?.bus ?? 'ide';
  const cd = d.device === 'cdrom';
  let o: Record<string, unknown>;
  const tail = (): Record<string, unknown> => ({
    ...(drive !== undefined ? { drive } : {}),
    id: alias,
    ...(boot !== undefined ? { bootindex: boot } : {}),
  });
  switch (bus) {
    case 'ide': {
      if (ctx.q35) throw refuse(`${w}/target/@bus`, "q35 has no IDE bus; use bus='sata'");
      const a = addrOf(d.address, 'drive', w);
      o = { driver: cd ? 'ide-cd' : 'ide-hd', bus: `ide.${a.bus}`, unit: a.unit, ...tail() };
      break;
    }
    case 'sata': {
      const a = addrOf(d.address, 'drive', w);
      const c = (ctx.devices.controller ?? []).find((x) => x.type === 'sata' && (x.index ?? 0) === a.controller);
      if (!c) throw refuse(`${w}/address`, `no SATA controller with index ${a.controller}`);
      o = { driver: cd ? 'ide-cd' : 'ide-hd', bus: `${aliasOf(c, 'SATA controller')}.${a.unit}`, ...tail() };
      break;
    }
    case 'scsi': {
      const a = addrOf(d.address, 'drive', w);
      const c = (ctx.devices.controller ?? []).find((x) => x.type === 'scsi' && (x.index ?? 0) === a.controller);
      if (!c) throw refuse(`${w}/address`, `no SCSI controller with index ${a.controller}`);
      const driver = d.device === 'lun' ? 'scsi-block' : cd ? 'scsi-cd' : 'scsi-hd';
      o = { driver, bus: `${aliasOf(c, 'SCSI controller')}.0` };
      if ((c.model ?? 'lsilogic') === 'lsilogic') o['scsi-id'] = a.unit;
      else Object.assign(o, { channel: a.bus, 'scsi-id': a.target, lun: a.unit });
      o.device_id = `drive-${alias}`;
      Object.assign(o, tail());
      break;
    }
    case 'virtio': {
      o = { driver: 'virtio-blk-pci' };
      const dr = d.driver;
      if (dr?.iothread !== undefined) o.iothread = `iothread${dr.iothread}`;
      if (dr?.iothreads !== undefined) o['iothread-vq-mapping'] = iothreadVqMapping(ctx, dr.iothreads, w);
      if (dr?.ioeventfd !== undefined) o.ioeventfd = dr.ioeventfd;
      if (dr?.event_idx !== undefined) o.event_idx = dr.event_idx;
      if (dr?.queues !== undefined) o['num-queues'] = dr.queues;
      if (dr?.queue_size !== undefined) o['queue-size'] = dr.queue_size;
      Object.assign(o, pciProps(ctx, d.address, w), tail());
      break;
    }
    case 'usb':
      o = { driver: 'usb-storage', ...usbProps(ctx, d.address, w), ...tail(), removable: d.target?.removable ?? false };
      break;
    case 'fdc': {
      const a = addrOf(d.address, 'drive', w);
      // a floppy's boot index is set on the controller (-global isa-fdc.bootindexA/B)
      o = { driver: 'floppy', unit: a.unit, ...(drive !== undefined ? { drive } : {}), id: alias };
      break;
    }
    default:
      throw refuse(`${w}/target/@bus`, `disk bus '${bus}' is not supported`);
  }
  needDevice(ctx.caps, o.driver as string, w);
  if (wc !== undefined) o['write-cache'] = wc;
  if (d.shareable !== undefined) o['share-rw'] = true;
  if (d.serial !== undefined) o.serial = d.serial;
  if (d.driver?.error_policy !== undefined && d.driver.error_policy !== 'enospace') o.werror = d.driver.error_policy;
  if (d.driver?.rerror_policy !== undefined) o.rerror = d.driver.rerror_policy;
  return o;
}

/**
 * The secret object of a LUKS disk, and what its format node gets: raw images open with the
 * `luks` driver and key-secret, qcow2 ones with encrypt.format=luks and encrypt.key-secret, as
 * libvirt's qemuBuildDiskSecinfoCommandLine / qemuBlockStorageSourceGetFormatProps. Undefined
 * for a disk without <encryption>.
 */
function encryption(ctx: BuildCtx, d: DiskDef, n: number, fmt: string): { object: Record<string, unknown>; props: Record<string, unknown> } | undefined {
  const enc = d.encryption;
  if (enc === undefined) return undefined;
  const w = where(d);
  if (enc.format !== 'luks') throw refuse(`${w}/encryption/@format`, `encryption format '${enc.format}' is not supported: use 'luks'`);
  if (enc.secret === undefined) throw refuse(`${w}/encryption/secret`, "LUKS encryption needs <secret type='passphrase' uuid='...'/>");
  if (fmt !== 'raw' && fmt !== 'qcow2') throw refuse(`${w}/encryption`, `LUKS encryption is for raw and qcow2 images, not '${fmt}'`);
  const dev = d.target?.dev ?? '';
  const file = ctx.paths.diskSecretFiles?.[dev];
  if (file === undefined) throw refuse(`${w}/encryption/secret`, `no key file was given for disk '${dev}' (RuntimePaths.diskSecretFiles)`);
  const id = `libvirt-${n}-format-encryption-secret0`;
  return {
    object: { 'qom-type': 'secret', id, format: 'raw', file },
    props: fmt === 'qcow2' ? { driver: 'qcow2', encrypt: { format: 'luks', 'key-secret': id } } : { driver: 'luks', 'key-secret': id },
  };
}

/**
 * The secret object of a network disk's <source><auth>, and the storage node's auth props: an
 * rbd disk gets user, auth-client-required [cephx, none] and key-secret, as libvirt's
 * qemuBlockStorageSourceGetRBDProps. Undefined for a disk without <auth>.
 */
function auth(ctx: BuildCtx, d: DiskDef, n: number): { object: Record<string, unknown>; props: Record<string, unknown> } | undefined {
  const a = d.source?.auth;
  if (a === undefined) return undefined;
  const w = `${where(d)}/source/auth`;
  if (d.type !== 'network' || d.source?.protocol !== 'rbd') throw refuse(w, 'authentication is supported for rbd disks only');
  if (a.secret === undefined) throw refuse(`${w}/secret`, "an rbd disk's <auth> needs <secret type='ceph' uuid='...'/>");
  if (a.secret.type !== 'ceph') throw refuse(`${w}/secret/@type`, `an rbd disk's secret is of type 'ceph', not '${a.secret.type}'`);
  const dev = d.target?.dev ?? '';
  const file = ctx.paths.diskAuthFiles?.[dev];
  if (file === undefined) throw refuse(`${w}/secret`, `no key file was given for disk '${dev}' (RuntimePaths.diskAuthFiles)`);
  const id = `libvirt-${n}-storage-secret0`;
  return {
    object: { 'qom-type': 'secret', id, format: 'raw', file },
    props: { user: a.username, 'auth-client-required': ['cephx', 'none'], 'key-secret': id },
  };
}

/** What one disk becomes: its secret -objects, its -blockdev nodes (storage first) and its front-end -device, as JSON objects. */
export interface DiskParts {
  /** Secret objects its nodes name (a LUKS key, an rbd cephx key), each from a key file. */
  readonly objects: Record<string, unknown>[];
  readonly nodes: Record<string, unknown>[];
  readonly device: Record<string, unknown>;
}

/**
 * The nodes libvirt-N-storage (and libvirt-N-format) and the front-end of disk `d`:
 * what the command line gets for it, and what a hotplug sends as blockdev-add and
 * device_add (src/core/qemu/hotplug/disk-plan.ts), so both say the same thing.
 */
export function diskParts(ctx: BuildCtx, d: DiskDef, n: number): DiskParts {
  const w = where(d);
  if (d.transient !== undefined) throw refuse(`${w}/transient`, 'transient disks are not supported');
  if (d.backingStore?.source !== undefined) throw refuse(`${w}/backingStore`, 'explicit backing chains are not translated yet; QEMU follows the image header');
  const fmt = d.driver?.type ?? 'raw';
  const cache = d.driver?.cache !== undefined && d.driver.cache !== 'default' ? CACHE[d.driver.cache] : undefined;
  const cacheObj = cache ? { cache: { direct: cache[0], 'no-flush': cache[1] } } : {};
  const ro = d.readonly !== undefined || d.device === 'cdrom';
  const storage = storageProps(ctx, d);
  const objects: Record<string, unknown>[] = [];
  const nodes: Record<string, unknown>[] = [];
  let drive: string | undefined;
  if (storage !== undefined) {
    const sName = `libvirt-${n}-storage`;
    const cred = auth(ctx, d, n);
    const enc = encryption(ctx, d, n, fmt);
    if (cred) objects.push(cred.object);
    if (enc) objects.push(enc.object);
    const layered = fmt !== 'raw' || enc !== undefined;
    const s: Record<string, unknown> = { ...storage, ...cred?.props, 'node-name': sName };
    if (layered) Object.assign(s, { 'auto-read-only': true, discard: 'unmap' });
    else {
      s['read-only'] = ro;
      // libvirt writes discard as given ('unmap' or 'ignore'), read-only CD-ROM nodes included
      if (d.driver?.discard !== undefined) s.discard = d.driver.discard;
      if (d.driver?.detect_zeroes !== undefined) s['detect-zeroes'] = d.driver.detect_zeroes;
    }
    Object.assign(s, cacheObj);
    needBackend(ctx.caps, 'blockdev', s.driver as string, w);
    nodes.push(s);
    drive = sName;
    if (layered) {
      if (fmt === 'iso') throw refuse(`${w}/driver/@type`, "format 'iso' is raw to QEMU; write type='raw'");
      const f: Record<string, unknown> = { 'node-name': `libvirt-${n}-format`, 'read-only': ro };
      if (d.driver?.discard !== undefined) f.discard = d.driver.discard;
      if (d.driver?.detect_zeroes !== undefined) f['detect-zeroes'] = d.driver.detect_zeroes;
      Object.assign(f, cacheObj, enc?.props ?? { driver: fmt }, { file: sName });
      needBackend(ctx.caps, 'blockdev', f.driver as string, w);
      nodes.push(f);
      drive = `libvirt-${n}-format`;
    }
  } else if (d.encryption !== undefined) {
    throw refuse(`${w}/encryption`, 'an encrypted disk needs a source');
  } else if (d.device !== 'cdrom' && d.device !== 'floppy') {
    throw refuse(`${w}/source`, 'a disk needs a source (only cdrom and floppy drives may be empty)');
  }
  const boot = d.target?.bus === 'fdc' ? undefined : ctx.bootIndex.get(aliasOf(d, w));
  return { objects, nodes, device: frontend(ctx, d, drive, boot, cache?.[2]) };
}

export function buildDisks(ctx: BuildCtx): void {
  const disks = ctx.devices.disk ?? [];
  // Floppy boot order lives on the controller; libvirt writes it before the disks.
  for (const d of disks) {
    if (d.target?.bus !== 'fdc') continue;
    const boot = ctx.bootIndex.get(aliasOf(d, where(d)));
    if (boot === undefined) continue;
    const a = addrOf(d.address, 'drive', where(d));
    push(ctx, '-global', `isa-fdc.bootindex${a.unit === 0 ? 'A' : 'B'}=${boot}`);
  }
  disks.forEach((d, i) => {
    const parts = diskParts(ctx, d, disks.length - i);
    for (const o of parts.objects) push(ctx, '-object', jsonOpt(o));
    for (const node of parts.nodes) push(ctx, '-blockdev', jsonOpt(node));
    push(ctx, '-device', jsonOpt(parts.device));
  });
}
