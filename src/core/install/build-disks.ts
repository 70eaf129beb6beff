/**
 * --disk, --cdrom and a --location ISO -> <disk> elements and the volumes to create. virt-install's rules:
 * `size=` alone makes VMNAME.qcow2 in the default pool (VMNAME-1.qcow2... for more), `vol=POOL/VOL` and
 * paths inside pools use the volume's format, new sparse volumes get discard="unmap", buses default to
 * virtio when the OS has virtio-block (else sata on q35, ide on i440fx), targets are named per bus prefix.
 * virtkit's `linked=on` makes a linked clone: a new qcow2 overlay (VMNAME.qcow2 in the volume's pool) on the named volume.
 */
import { VirtkitError } from '../errors.js';
import { Opts, has, raw, uses } from './build-args.js';
import type { DraftDevice } from './draft.js';
import { supportsVirtio } from './os-support.js';
import type { HostFacts, InstallArgs, OsInfo, PlannedVolume } from './types.js';
import { el, type XNode } from './xml-out.js';
import { generateName } from '../clone/names.js';

const GiB = 1024 * 1024 * 1024;
const dirname = (p: string): string => p.slice(0, Math.max(p.lastIndexOf('/'), 1));
const PREFIX: Record<string, string> = { virtio: 'vd', sata: 'sd', scsi: 'sd', usb: 'sd', ide: 'hd', fdc: 'fd', xen: 'xvd' };

const invalid = (msg: string, details: Record<string, unknown> = {}): VirtkitError => new VirtkitError('INVALID_ARGUMENT', msg, { details: { flag: 'disk', ...details } });

interface DiskSpec {
  device: string;
  bus: string;
  type: 'file' | 'block';
  path: string | null;
  format: string | null;
  discard: string | undefined;
  o: Opts;
  installMedia: boolean;
}

export interface DiskResult {
  devices: DraftDevice[];
  volumes: PlannedVolume[];
}

export function buildDisks(args: InstallArgs, os: OsInfo, host: HostFacts, name: string, q35: boolean): DiskResult {
  const volumes: PlannedVolume[] = [];
  const specs: DiskSpec[] = [];
  const taken = (pool: string, n: string): boolean =>
    host.volumes.some((v) => v.pool === pool && v.name === n) || volumes.some((v) => v.pool === pool && v.name === n);
  const defaultBus = (device: string): string => {
    if (device === 'cdrom') return q35 ? 'sata' : 'ide';
    if (device === 'floppy') return 'fdc';
    return supportsVirtio(os, 'block') ? 'virtio' : q35 ? 'sata' : 'ide';
  };
  for (const use of uses(args, 'disk')) {
    const o = new Opts('disk', use);
    if (o.get('path') === 'none') continue;
    const device = o.get('device') ?? 'disk';
    const size = o.get('size');
    let path = o.get('path') ?? o.get('source.file') ?? o.get('source.dev') ?? null;
    let format = o.get('format') ?? o.get('driver.type') ?? null;
    let discard = o.get('driver.discard');
    const vol = o.get('vol');
    const poolName = o.get('pool');
    if (vol !== undefined) {
      const slash = vol.indexOf('/');
      const [p, n] = slash < 0 ? ['', vol] : [vol.slice(0, slash), vol.slice(slash + 1)];
      const found = host.volumes.find((v) => v.pool === p && v.name === n);
      if (!found) throw new VirtkitError('VOLUME_NOT_FOUND', `--disk vol=${vol}: no volume '${n}' in pool '${p}'`, { details: { flag: 'disk', pool: p, volume: n } });
      path = found.path;
      format ??= found.format;
    } else if (path !== null && !path.startsWith('/dev/') && (size === undefined || host.volumes.some((v) => v.path === path))) {
      const found = host.volumes.find((v) => v.path === path);
      if (!found) throw invalid(`--disk ${path}: Size must be specified for non existent volumes`, { path });
      format ??= found.format;
    }
    if (o.bool('linked') === true) {
      // virtkit's extension: a qcow2 overlay named after the VM in the source volume's pool, backed by the volume.
      const src = host.volumes.find((v) => v.path === path);
      if (!src || size !== undefined) throw invalid('--disk linked=on: name an existing volume (vol=POOL/VOL or its path) and no size=; the overlay gets its capacity', { path });
      const pool = host.pools.find((p) => p.name === src.pool);
      if (!pool || pool.path === null) throw invalid(`--disk linked=on: pool '${src.pool}' has no directory to put the overlay in`, { pool: src.pool });
      const volName = generateName(name, (n) => taken(src.pool, n), { suffix: '.qcow2' });
      path = `${pool.path}/${volName}`;
      volumes.push({ pool: src.pool, name: volName, path, format: 'qcow2', capacity: src.capacity, backing: { path: src.path, format: src.format }, cloneFrom: null, sparse: true });
      format = 'qcow2';
      discard ??= 'unmap';
    } else if (vol !== undefined || (path !== null && !path.startsWith('/dev/') && (size === undefined || host.volumes.some((v) => v.path === path)))) {
      // an existing volume or file, used as it is
    } else if (size !== undefined && (path === null || !path.startsWith('/dev/'))) {
      if (!/^[0-9]+(\.[0-9]+)?$/.test(size)) throw invalid(`--disk size=${size}: not a number of GiB`);
      const fmt = format ?? 'qcow2';
      if (fmt !== 'qcow2' && fmt !== 'raw') throw invalid(`--disk format=${fmt}: new volumes are qcow2 or raw`);
      let pool;
      let volName;
      if (path !== null) {
        pool = host.pools.find((p) => p.path === dirname(path ?? ''));
        if (!pool) throw invalid(`--disk ${path}: the directory is not a storage pool (create one with pool-define-as)`, { path });
        volName = path.slice(dirname(path).length + 1);
      } else {
        pool = host.pools.find((p) => p.name === (poolName ?? 'default'));
        if (!pool || pool.path === null) throw new VirtkitError('POOL_NOT_FOUND', `--disk: no storage pool '${poolName ?? 'default'}' to create the volume in`, { details: { flag: 'disk', pool: poolName ?? 'default' } });
        const pname = pool.name;
        volName = generateName(name, (n) => taken(pname, n), { suffix: fmt === 'raw' ? '.img' : '.qcow2' });
        path = `${pool.path}/${volName}`;
      }
      const sparse = o.bool('sparse') ?? true;
      const bs = o.get('backing_store');
      const backing = bs === undefined ? null : { path: bs, format: o.get('backing_format') ?? host.volumes.find((v) => v.path === bs)?.format ?? 'raw' };
      volumes.push({ pool: pool.name, name: volName, path, format: fmt, capacity: Math.round(Number(size) * GiB), backing, cloneFrom: null, sparse });
      format = fmt;
      if (sparse && discard === undefined) discard = 'unmap';
    } else if (path === null && device !== 'cdrom' && device !== 'floppy') {
      throw invalid('--disk needs a path, vol=POOL/VOL, or size=GiB for a new volume');
    }
    // a block device is raw unless format= says otherwise; an empty cdrom/floppy drive has no format
    if (path?.startsWith('/dev/')) format ??= 'raw';
    specs.push({ device, bus: o.get('target.bus') ?? defaultBus(device), type: path?.startsWith('/dev/') ? 'block' : 'file', path, format, discard, o, installMedia: false });
  }
  const media = [raw(args, 'cdrom'), has(args, 'location') ? isoLocation(args) : undefined].filter((p): p is string => p !== undefined);
  for (const path of media) {
    specs.push({ device: 'cdrom', bus: defaultBus('cdrom'), type: 'file', path, format: 'raw', discard: undefined, o: new Opts('disk', undefined), installMedia: true });
  }
  const used = new Set(specs.map((s) => s.o.get('target.dev')).filter((d): d is string => d !== undefined));
  const devices = specs.map((s) => ({ node: diskNode(s, nextTarget(s, used)), installMedia: s.installMedia }));
  return { devices, volumes };
}

/** A --location that is a local ISO file (a URL, an NFS tree or a local directory `DIR/` is not attached). */
export function isoLocation(args: InstallArgs): string | undefined {
  const loc = new Opts('location', uses(args, 'location').at(-1)).get('location');
  return loc !== undefined && loc.startsWith('/') && !loc.endsWith('/') ? loc : undefined;
}

function nextTarget(s: DiskSpec, used: Set<string>): string {
  const given = s.o.get('target.dev');
  if (given !== undefined) return given;
  const prefix = PREFIX[s.bus] ?? 'sd';
  for (let i = 0; ; i++) {
    const dev = prefix + letters(i);
    if (!used.has(dev)) {
      used.add(dev);
      return dev;
    }
  }
}

function letters(i: number): string {
  let s = '';
  let n = i + 1;
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(97 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

function diskNode(s: DiskSpec, dev: string): XNode {
  const o = s.o;
  const kids: XNode[] = [];
  if (s.path !== null) kids.push(el('driver', {
    name: o.get('driver.name') ?? 'qemu', type: s.format, cache: o.get('driver.cache'), discard: s.discard,
    detect_zeroes: o.get('driver.detect_zeroes'), io: o.get('driver.io'), error_policy: o.get('driver.error_policy'),
    iothread: o.get('driver.iothread'), queues: o.get('driver.queues'), queue_size: o.get('driver.queue_size'),
    copy_on_read: o.get('driver.copy_on_read'),
  }));
  const startupPolicy = o.get('source.startupPolicy');
  if (s.path !== null) kids.push(el('source', s.type === 'block' ? { dev: s.path, startupPolicy } : { file: s.path, startupPolicy }));
  kids.push(el('target', { dev, bus: s.bus, removable: o.get('target.removable'), rotation_rate: o.get('target.rotation_rate') }));
  if (s.device === 'cdrom' || o.bool('readonly')) kids.push(el('readonly'));
  if (o.bool('shareable')) kids.push(el('shareable'));
  if (o.bool('transient')) kids.push(el('transient'));
  const serial = o.get('serial');
  if (serial !== undefined) kids.push(el('serial', {}, serial));
  const wwn = o.get('wwn');
  if (wwn !== undefined) kids.push(el('wwn', {}, wwn));
  const iotune = ['total_bytes_sec', 'read_bytes_sec', 'write_bytes_sec', 'total_iops_sec', 'read_iops_sec', 'write_iops_sec']
    .filter((k) => o.has(`iotune.${k}`)).map((k) => el(k, {}, o.get(`iotune.${k}`) ?? ''));
  if (iotune.length > 0) kids.push(el('iotune', {}, iotune));
  if (o.has('blockio.logical_block_size') || o.has('blockio.physical_block_size')) {
    kids.push(el('blockio', { logical_block_size: o.get('blockio.logical_block_size'), physical_block_size: o.get('blockio.physical_block_size') }));
  }
  if (o.has('geometry.cyls') || o.has('geometry.heads') || o.has('geometry.secs')) {
    kids.push(el('geometry', { cyls: o.get('geometry.cyls'), heads: o.get('geometry.heads'), secs: o.get('geometry.secs'), trans: o.get('geometry.trans') }));
  }
  if (o.has('boot.order') || o.has('boot.loadparm')) kids.push(el('boot', { order: o.get('boot.order'), loadparm: o.get('boot.loadparm') }));
  kids.push(...addressNodes(o));
  return el('disk', { type: s.type, device: s.device, snapshot: o.get('snapshot'), sgio: o.get('sgio'), rawio: o.get('rawio') }, kids);
}

/** alias.name and address.* keys -> <alias>, <address>: every device flag takes them. */
export function addressNodes(o: Opts): XNode[] {
  const out: XNode[] = [];
  const alias = o.get('alias.name');
  if (alias !== undefined) out.push(el('alias', { name: alias }));
  const keys = ['type', 'domain', 'bus', 'slot', 'function', 'multifunction', 'controller', 'unit', 'port', 'target'];
  if (keys.some((k) => o.has(`address.${k}`))) out.push(el('address', Object.fromEntries(keys.map((k) => [k, o.get(`address.${k}`)]))));
  return out;
}

/** The boot order some disk or NIC carries (then virt-install writes no <boot dev>). */
export const anyBootOrder = (args: InstallArgs): boolean =>
  ['disk', 'network', 'hostdev'].some((f) => uses(args, f).some((u) => u.opts.some((o) => o.key === 'boot.order')));
