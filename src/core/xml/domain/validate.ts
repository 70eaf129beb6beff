/**
 * Step 3: rules that span elements (the schema checks each element alone).
 * `domainProblems` lists every problem; `validateDomain` throws the first.
 */
import { VirtkitError } from '../../errors.js';
import type { ErrorCode } from '../../errors.js';
import { parseCpuset } from '../values.js';
import type { DomainDef } from './schema/domain.js';
import { checkHostdevs } from './validate-hostdev.js';
import { checkDiskIothreads } from './validate-iothreads.js';

type Problem = VirtkitError;

function problem(code: ErrorCode, path: string, message: string): Problem {
  return new VirtkitError(code, `${path}: ${message}`, { details: { path } });
}

/** Paths index devices the way the XML does: /domain/devices/disk[2] (1-based). */
const at = (kind: string, i: number, n: number): string => (n > 1 ? `/domain/devices/${kind}[${i + 1}]` : `/domain/devices/${kind}`);

export function domainProblems(def: DomainDef): Problem[] {
  const out: Problem[] = [];
  checkIdentity(def, out);
  checkMemory(def, out);
  checkCpus(def, out);
  checkDisks(def, out);
  checkInterfaces(def, out);
  checkBootOrder(def, out);
  checkHostdevs(def, out);
  checkControllers(def, out);
  checkFeatures(def, out);
  return out;
}

export function validateDomain(def: DomainDef): void {
  const [first] = domainProblems(def);
  if (first) throw first;
}

function checkIdentity(def: DomainDef, out: Problem[]): void {
  if (def.name.includes('/')) out.push(problem('XML_INVALID_VALUE', '/domain/name', `'${def.name}' must not contain '/'`));
  if (def.name.length > 200) out.push(problem('XML_INVALID_VALUE', '/domain/name', 'is longer than 200 characters'));
  if (!def.os?.type) out.push(problem('XML_MISSING', '/domain/os', "an <os><type>hvm</type></os> element is required"));
}

function checkMemory(def: DomainDef, out: Problem[]): void {
  const mem = def.memory?.value;
  const cells = def.cpu?.numa?.cell ?? [];
  if (mem === undefined && cells.length === 0) {
    out.push(problem('XML_MISSING', '/domain/memory', 'the domain needs a <memory> size'));
    return;
  }
  const total = cells.length > 0 ? cells.reduce((s, c) => s + c.memory, 0) : (mem ?? 0);
  if (total === 0) out.push(problem('XML_INVALID_VALUE', '/domain/memory', 'memory size must be greater than zero'));
  const cur = def.currentMemory?.value;
  if (cur !== undefined && cur > total) {
    out.push(problem('XML_CONFLICT', '/domain/currentMemory', `currentMemory (${cur} KiB) is larger than memory (${total} KiB)`));
  }
  const max = def.maxMemory?.value;
  if (max !== undefined && max < total) {
    out.push(problem('XML_CONFLICT', '/domain/maxMemory', `maxMemory (${max} KiB) is smaller than memory (${total} KiB)`));
  }
  const pages = def.memoryBacking?.hugepages?.page ?? [];
  const seen = new Set<string>();
  pages.forEach((p, i) => {
    const path = pages.length > 1 ? `/domain/memoryBacking/hugepages/page[${i + 1}]` : '/domain/memoryBacking/hugepages/page';
    if (p.size === 0 || (p.size & (p.size - 1)) !== 0) out.push(problem('XML_INVALID_VALUE', path, `page size ${p.size} KiB is not a power of two`));
    const key = p.nodeset ?? '*';
    if (seen.has(key)) out.push(problem('XML_DUPLICATE', path, `more than one page size for nodeset '${key}'`));
    seen.add(key);
    if (p.nodeset !== undefined) {
      for (const n of parseCpuset(p.nodeset)) {
        if (n >= cells.length) out.push(problem('XML_CONFLICT', path, `nodeset '${p.nodeset}' names guest NUMA node ${n}, but the domain has ${cells.length} cells`));
      }
    }
  });
}

export function vcpuCount(def: DomainDef): number {
  return def.vcpu?.value ?? 1;
}

function checkCpus(def: DomainDef, out: Problem[]): void {
  const n = vcpuCount(def);
  if (n === 0) out.push(problem('XML_INVALID_VALUE', '/domain/vcpu', 'a domain needs at least one vCPU'));
  const cur = def.vcpu?.current;
  if (cur !== undefined && (cur > n || cur === 0)) out.push(problem('XML_CONFLICT', '/domain/vcpu/@current', `current vCPUs (${cur}) must be between 1 and ${n}`));
  // libvirt's rule (virCPUDefParseXML): the CPUID vendor string is 12 bytes.
  const vendorId = def.cpu?.model?.vendor_id;
  if (vendorId !== undefined && vendorId.length !== 12) out.push(problem('XML_INVALID_VALUE', '/domain/cpu/model/@vendor_id', `'${vendorId}' must be exactly 12 characters long`));
  const t = def.cpu?.topology;
  if (t) {
    const prod = t.sockets * (t.dies ?? 1) * (t.clusters ?? 1) * t.cores * t.threads;
    if (prod !== n) out.push(problem('XML_CONFLICT', '/domain/cpu/topology', `sockets*dies*clusters*cores*threads = ${prod}, but <vcpu> is ${n}`));
  }
  const cells = def.cpu?.numa?.cell ?? [];
  const owner = new Map<number, number>();
  cells.forEach((c, i) => {
    const path = cells.length > 1 ? `/domain/cpu/numa/cell[${i + 1}]` : '/domain/cpu/numa/cell';
    if (c.id !== undefined && c.id !== i) out.push(problem('XML_CONFLICT', path, `cell id ${c.id} must equal its position ${i}`));
    for (const cpu of c.cpus === undefined ? [] : parseCpuset(c.cpus)) {
      if (cpu >= n) out.push(problem('XML_CONFLICT', path, `vCPU ${cpu} is out of range (the domain has ${n})`));
      const prev = owner.get(cpu);
      if (prev !== undefined) out.push(problem('XML_DUPLICATE', path, `vCPU ${cpu} is already in cell ${prev}`));
      owner.set(cpu, i);
    }
  });
  for (const [i, pin] of (def.cputune?.vcpupin ?? []).entries()) {
    if (pin.vcpu >= n) out.push(problem('XML_CONFLICT', `/domain/cputune/vcpupin[${i + 1}]`, `vcpu ${pin.vcpu} is out of range (the domain has ${n})`));
  }
  for (const [i, mn] of (def.numatune?.memnode ?? []).entries()) {
    if (mn.cellid >= cells.length) {
      out.push(problem('XML_CONFLICT', `/domain/numatune/memnode[${i + 1}]`, `cellid ${mn.cellid} does not exist: the domain has ${cells.length} guest NUMA cells`));
    }
  }
}

function checkDisks(def: DomainDef, out: Problem[]): void {
  const disks = def.devices?.disk ?? [];
  const targets = new Map<string, number>();
  disks.forEach((d, i) => {
    const path = at('disk', i, disks.length);
    const dev = d.target?.dev;
    if (dev === undefined) {
      out.push(problem('XML_MISSING', path, 'a <disk> needs <target dev=.../>'));
      return;
    }
    if (targets.has(dev)) out.push(problem('XML_DUPLICATE', `${path}/target`, `target '${dev}' is already used by disk ${(targets.get(dev) ?? 0) + 1}`));
    targets.set(dev, i);
    const type = d.type ?? 'file';
    const device = d.device ?? 'disk';
    const src = d.source;
    const removable = device === 'cdrom' || device === 'floppy';
    if (type === 'file' && src?.file === undefined && !removable) out.push(problem('XML_MISSING', `${path}/source`, "a file disk needs <source file='...'/>"));
    if (type === 'block' && src?.dev === undefined && !removable) out.push(problem('XML_MISSING', `${path}/source`, "a block disk needs <source dev='...'/>"));
    if (type === 'network' && (src?.protocol === undefined || (src.name === undefined && src.protocol !== 'nbd'))) {
      out.push(problem('XML_MISSING', `${path}/source`, 'a network disk needs <source protocol=... name=...>'));
    }
    if (type === 'volume' && (src?.pool === undefined || src.volume === undefined)) out.push(problem('XML_MISSING', `${path}/source`, "a volume disk needs <source pool='...' volume='...'/>"));
    const bus = d.target?.bus;
    if (device === 'floppy' && bus !== undefined && bus !== 'fdc') out.push(problem('XML_CONFLICT', `${path}/target/@bus`, `a floppy must be on bus 'fdc', not '${bus}'`));
    if (device === 'cdrom' && bus === 'virtio') out.push(problem('XML_CONFLICT', `${path}/target/@bus`, "a cdrom cannot be on bus 'virtio' (use sata, scsi or ide)"));
    if (device === 'lun' && bus !== undefined && bus !== 'scsi' && bus !== 'virtio') out.push(problem('XML_CONFLICT', `${path}/target/@bus`, "a lun must be on bus 'scsi' or 'virtio'"));
    if (device === 'lun' && type !== 'block' && type !== 'network') out.push(problem('XML_CONFLICT', path, "a lun needs type='block' or type='network'"));
    checkDiskIothreads(def, d, path, out);
  });
}

function checkInterfaces(def: DomainDef, out: Problem[]): void {
  const nics = def.devices?.interface ?? [];
  const macs = new Map<string, number>();
  nics.forEach((n, i) => {
    const path = at('interface', i, nics.length);
    const mac = n.mac?.address;
    if (mac !== undefined) {
      if (macs.has(mac)) out.push(problem('XML_DUPLICATE', `${path}/mac`, `MAC ${mac} is already used by interface ${(macs.get(mac) ?? 0) + 1}`));
      macs.set(mac, i);
    }
    const need: Partial<Record<typeof n.type, [boolean, string]>> = {
      network: [n.source?.network !== undefined, "<source network='...'/>"],
      bridge: [n.source?.bridge !== undefined, "<source bridge='...'/>"],
      direct: [n.source?.dev !== undefined, "<source dev='...' mode='...'/>"],
      hostdev: [n.source?.hostAddress !== undefined, '<source><address .../></source>'],
      vhostuser: [n.source?.path !== undefined, "<source type='unix' path='...' mode='...'/>"],
    };
    const rule = need[n.type];
    if (rule && !rule[0]) out.push(problem('XML_MISSING', `${path}/source`, `an interface of type '${n.type}' needs ${rule[1]}`));
    if (n.mtu !== undefined && (n.mtu.size < 68 || n.mtu.size > 65535)) out.push(problem('XML_INVALID_VALUE', `${path}/mtu`, `MTU ${n.mtu.size} is out of range 68-65535`));
    const vp = n.virtualport?.type;
    if (vp === 'openvswitch' && n.type !== 'bridge' && n.type !== 'network') {
      out.push(problem('XML_CONFLICT', `${path}/virtualport`, "an openvswitch virtualport needs an interface of type 'bridge' or 'network'"));
    }
  });
}

function checkBootOrder(def: DomainDef, out: Problem[]): void {
  const orders = new Map<number, string>();
  const d = def.devices;
  const add = (kind: string, list: Array<{ boot?: { order: number } }> | undefined): void => {
    (list ?? []).forEach((x, i) => {
      if (!x.boot) return;
      const path = `${at(kind, i, list?.length ?? 0)}/boot`;
      const prev = orders.get(x.boot.order);
      if (prev) out.push(problem('XML_DUPLICATE', path, `boot order ${x.boot.order} is already used by ${prev}`));
      orders.set(x.boot.order, path);
    });
  };
  add('disk', d?.disk);
  add('interface', d?.interface);
  add('hostdev', d?.hostdev);
  if (orders.size > 0 && (def.os?.boot?.length ?? 0) > 0) {
    out.push(problem('XML_CONFLICT', '/domain/os/boot', 'per-device <boot order=.../> cannot be combined with <os><boot dev=.../></os>'));
  }
}

function checkControllers(def: DomainDef, out: Problem[]): void {
  const list = def.devices?.controller ?? [];
  const seen = new Set<string>();
  list.forEach((c, i) => {
    const key = `${c.type}:${c.index ?? 0}`;
    if (seen.has(key)) out.push(problem('XML_DUPLICATE', at('controller', i, list.length), `a ${c.type} controller with index ${c.index ?? 0} already exists`));
    seen.add(key);
  });
}

function checkFeatures(def: DomainDef, out: Problem[]): void {
  const sl = def.features?.hyperv?.spinlocks;
  if (sl?.state && sl.retries !== undefined && sl.retries < 4095) {
    out.push(problem('XML_INVALID_VALUE', '/domain/features/hyperv/spinlocks/@retries', `${sl.retries} is below the minimum of 4095`));
  }
  if (def.features?.hyperv && def.type === 'qemu' && def.features.hyperv.mode === 'passthrough') {
    out.push(problem('XML_CONFLICT', '/domain/features/hyperv/@mode', "hyperv mode 'passthrough' needs domain type 'kvm'"));
  }
}
