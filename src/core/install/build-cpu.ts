/**
 * --memory, --memorybacking, --vcpus, --cpu, --numatune, --cputune, --iothreads -> their elements.
 */
import { VirtkitError } from '../errors.js';
import { Opts, has, last, uses } from './build-args.js';
import { recommended } from './os-support.js';
import type { InstallArgs, OsInfo } from './types.js';
import { el, type XNode } from './xml-out.js';

const MiB = (v: string, flag: string, key: string): number => {
  if (!/^[0-9]+$/.test(v)) throw new VirtkitError('INVALID_ARGUMENT', `--${flag}: ${key}=${v} is not a whole number of MiB`, { details: { flag, key } });
  return Number(v) * 1024;
};

/** <maxMemory>, <memory>, <currentMemory> in KiB, with virt-install's old names (`memory` is current, `maxmemory` the maximum). */
export function memoryElements(args: InstallArgs, os: OsInfo): XNode[] {
  const m = last(args, 'memory');
  const defKiB = Math.floor((recommended(os, 'ram') ?? 1024 * 1024 * 1024) / 1024);
  let memory = m.get('memory');
  let current = m.get('currentMemory');
  const maxmemory = m.get('maxmemory');
  if (current === undefined && maxmemory !== undefined) {
    current = memory;
    memory = maxmemory;
  } else if (current !== undefined && maxmemory !== undefined) {
    memory = maxmemory;
  }
  const memKiB = memory !== undefined ? MiB(memory, 'memory', 'memory') : defKiB;
  const curKiB = current !== undefined ? MiB(current, 'memory', 'currentMemory') : memKiB;
  const out: XNode[] = [];
  const max = m.get('maxMemory');
  if (max !== undefined) out.push(el('maxMemory', { slots: m.get('maxMemory.slots') }, String(MiB(max, 'memory', 'maxMemory'))));
  out.push(el('memory', {}, String(memKiB)), el('currentMemory', {}, String(curKiB)));
  return out;
}

export function memoryBacking(args: InstallArgs): XNode | null {
  const mb = last(args, 'memorybacking');
  const fromMemory = last(args, 'memory').bool('hugepages');
  if (!has(args, 'memorybacking') && !fromMemory) return null;
  const kids: XNode[] = [];
  if (mb.bool('hugepages') || fromMemory) {
    const pages = [...mb.indexed(/^hugepages\.page([0-9]+)\.(.+)$/).values()].map((p) => el('page', { size: p.get('size'), unit: p.get('unit'), nodeset: p.get('nodeset') }));
    kids.push(el('hugepages', {}, pages));
  }
  if (mb.bool('nosharepages')) kids.push(el('nosharepages'));
  if (mb.bool('locked')) kids.push(el('locked'));
  if (mb.has('source.type')) kids.push(el('source', { type: mb.get('source.type') }));
  if (mb.has('access.mode')) kids.push(el('access', { mode: mb.get('access.mode') }));
  if (mb.has('allocation.mode')) kids.push(el('allocation', { mode: mb.get('allocation.mode'), threads: mb.get('allocation.threads') }));
  if (mb.bool('discard')) kids.push(el('discard'));
  return el('memoryBacking', {}, kids);
}

interface Topology { sockets: number; dies: number; cores: number; threads: number }

/** The vcpu count and the filled-in topology (virt-install fills what is missing; dies defaults to 1). */
export function vcpuCount(args: InstallArgs): { vcpus: number; max: number | null; topology: Topology | null } {
  const v = last(args, 'vcpus');
  let s = v.int('sockets');
  let c = v.int('cores');
  let t = v.int('threads');
  const d = v.int('dies') ?? 1;
  const given = v.int('vcpus');
  const maxv = v.int('maxvcpus');
  const topo = s !== undefined || c !== undefined || t !== undefined || v.has('dies');
  const total = maxv ?? given ?? (topo ? (s ?? 1) * d * (c ?? 1) * (t ?? 1) : 2);
  if (topo) {
    if (s === undefined) {
      c ??= 1;
      t ??= 1;
      s = Math.max(1, Math.floor(total / (d * c * t)));
    } else if (c === undefined) {
      t ??= 1;
      c = Math.max(1, Math.floor(total / (s * d * t)));
    } else if (t === undefined) {
      t = Math.max(1, Math.floor(total / (s * d * c)));
    }
    if (s * d * c * t !== total) {
      throw new VirtkitError('INVALID_ARGUMENT', `--vcpus: the topology (${s} sockets x ${d} dies x ${c} cores x ${t} threads) does not give ${total} vcpus`, { details: { flag: 'vcpus' } });
    }
  }
  const vcpus = given ?? total;
  return { vcpus, max: maxv ?? null, topology: topo ? { sockets: s ?? 1, dies: d, cores: c ?? 1, threads: t ?? 1 } : null };
}

/**
 * `--cpu policy=dedicated` (a virtkit extension, docs/placement.md): the domain asks to be placed
 * by virtkit at start, as <vcpu placement='auto'> and <numatune><memory mode='strict' placement='auto'/>.
 */
export function dedicated(args: InstallArgs): boolean {
  const policy = new Opts('cpu', uses(args, 'cpu').at(-1)).get('policy');
  if (policy === undefined) return false;
  if (policy !== 'dedicated') {
    throw new VirtkitError('INVALID_ARGUMENT', `--cpu: policy=${policy} is not a CPU policy virtkit knows; the one there is is policy=dedicated (docs/placement.md)`,
      { details: { flag: 'cpu', key: 'policy' } });
  }
  return true;
}

const SMT = new Set(['prefer', 'isolate', 'require']);

/** `--cpu policy=dedicated,smt=...`: virtkit's metadata element that carries the SMT policy, or null. */
export function placementMetadata(args: InstallArgs): XNode | null {
  const smt = new Opts('cpu', uses(args, 'cpu').at(-1)).get('smt');
  if (smt === undefined) return null;
  if (!dedicated(args) || !SMT.has(smt)) {
    throw new VirtkitError('INVALID_ARGUMENT', `--cpu: smt=${smt} goes with policy=dedicated and is one of prefer, isolate, require`, { details: { flag: 'cpu', key: 'smt' } });
  }
  return el('virtkit:placement', { 'xmlns:virtkit': 'https://virtkit.dev/xmlns/placement/1', smt });
}

export function vcpuElement(args: InstallArgs): XNode {
  const v = last(args, 'vcpus');
  const { vcpus, max } = vcpuCount(args);
  const cpuset = v.get('cpuset') ?? v.get('vcpu.cpuset');
  let placement = v.get('vcpu.placement');
  if (dedicated(args)) {
    if ((placement ?? 'auto') !== 'auto' || cpuset !== undefined) {
      throw new VirtkitError('INVALID_ARGUMENT', '--cpu policy=dedicated places the vCPUs itself: drop --vcpus placement= and cpuset=', { details: { flag: 'cpu', key: 'policy' } });
    }
    placement = 'auto';
  }
  return el('vcpu', { placement, cpuset, current: v.get('vcpu.current') ?? (max !== null ? vcpus : undefined) }, String(max ?? vcpus));
}

const MODES = new Set(['host-passthrough', 'host-model', 'maximum']);
const POLICIES = new Set(['force', 'require', 'optional', 'disable', 'forbid']);

/** <cpu>: --cpu's mode or model, the topology from --vcpus (or topology.*), features and NUMA cells. */
export function cpuElement(args: InstallArgs): XNode | null {
  const cpuUse = uses(args, 'cpu').at(-1);
  const c = new Opts('cpu', cpuUse);
  const { topology } = vcpuCount(args);
  const topo = topology ?? (c.has('topology.sockets') || c.has('topology.cores') || c.has('topology.threads')
    ? { sockets: c.int('topology.sockets') ?? 1, dies: c.int('topology.dies') ?? 1, cores: c.int('topology.cores') ?? 1, threads: c.int('topology.threads') ?? 1 }
    : null);
  if (!cpuUse && !topo) return null;
  // policy=dedicated alone says nothing about the CPU model: the default one (host-passthrough under KVM) stays.
  if (!topo && dedicated(args) && (cpuUse?.opts ?? []).every((o) => o.key === 'policy' || o.key === 'smt')) return null;
  const model = c.get('model');
  const attrs: Record<string, string | undefined> = {};
  const kids: XNode[] = [];
  if (model !== undefined && MODES.has(model)) attrs['mode'] = model;
  else if (model === 'host-copy') attrs['mode'] = 'host-model';
  else if (model !== undefined) {
    attrs['mode'] = c.get('mode') ?? 'custom';
    attrs['match'] = c.get('match') ?? 'exact';
    kids.push(el('model', { fallback: c.get('model.fallback'), vendor_id: c.get('model.vendor_id') }, model));
  } else if (c.has('mode')) attrs['mode'] = c.get('mode');
  attrs['check'] = c.get('check');
  attrs['migratable'] = c.get('migratable');
  if (c.has('vendor')) kids.push(el('vendor', {}, c.get('vendor') ?? ''));
  if (topo) kids.push(el('topology', { sockets: topo.sockets, dies: topo.dies, cores: topo.cores, threads: topo.threads }));
  if (c.has('cache.mode')) kids.push(el('cache', { level: c.get('cache.level'), mode: c.get('cache.mode') }));
  if (c.has('maxphysaddr.mode')) kids.push(el('maxphysaddr', { mode: c.get('maxphysaddr.mode'), bits: c.get('maxphysaddr.bits') }));
  for (const [k, v] of Opts.all(cpuUse)) {
    if (!POLICIES.has(k) || v === null) continue;
    c.touch(k);
    kids.push(el('feature', { policy: k, name: v }));
  }
  const cells = [...c.indexed(/^numa\.cell([0-9]+)\.(.+)$/)];
  if (cells.length > 0) {
    kids.push(el('numa', {}, cells.map(([, cell]) => {
      const siblings = [...new Opts('cpu', { raw: '', opts: [...cell].map(([key, value]) => ({ key, value })) })
        .indexed(/^distances\.sibling([0-9]+)\.(.+)$/).values()].map((s) => el('sibling', { id: s.get('id'), value: s.get('value') }));
      return el('cell', { id: cell.get('id'), cpus: cell.get('cpus'), memory: cell.get('memory'), unit: cell.get('unit'),
        memAccess: cell.get('memAccess'), discard: cell.get('discard') }, siblings.length > 0 ? [el('distances', {}, siblings)] : []);
    })));
  }
  return el('cpu', attrs, kids);
}

export function numatuneElement(args: InstallArgs): XNode | null {
  if (!has(args, 'numatune')) return dedicated(args) ? el('numatune', {}, [el('memory', { mode: 'strict', placement: 'auto' })]) : null;
  const n = last(args, 'numatune');
  const kids: XNode[] = [];
  if (n.has('memory.mode') || n.has('memory.nodeset') || n.has('memory.placement')) {
    kids.push(el('memory', { mode: n.get('memory.mode'), nodeset: n.get('memory.nodeset'), placement: n.get('memory.placement') }));
  }
  for (const m of n.indexed(/^memnode([0-9]+)\.(.+)$/).values()) kids.push(el('memnode', { cellid: m.get('cellid'), mode: m.get('mode'), nodeset: m.get('nodeset') }));
  return el('numatune', {}, kids);
}

export function cputuneElement(args: InstallArgs): XNode | null {
  if (!has(args, 'cputune')) return null;
  const t = last(args, 'cputune');
  const kids: XNode[] = [];
  for (const p of t.indexed(/^vcpupin([0-9]+)\.(.+)$/).values()) kids.push(el('vcpupin', { vcpu: p.get('vcpu'), cpuset: p.get('cpuset') }));
  if (t.has('emulatorpin.cpuset')) kids.push(el('emulatorpin', { cpuset: t.get('emulatorpin.cpuset') }));
  for (const p of t.indexed(/^iothreadpin([0-9]+)\.(.+)$/).values()) kids.push(el('iothreadpin', { iothread: p.get('iothread'), cpuset: p.get('cpuset') }));
  for (const k of ['shares', 'period', 'quota', 'global_period', 'global_quota', 'emulator_period', 'emulator_quota', 'iothread_period', 'iothread_quota']) {
    const v = t.get(k);
    if (v !== undefined) kids.push(el(k, {}, v));
  }
  for (const s of t.indexed(/^vcpusched([0-9]+)\.(.+)$/).values()) kids.push(el('vcpusched', { vcpus: s.get('vcpus'), scheduler: s.get('scheduler'), priority: s.get('priority') }));
  if (t.has('emulatorsched.scheduler')) kids.push(el('emulatorsched', { scheduler: t.get('emulatorsched.scheduler'), priority: t.get('emulatorsched.priority') }));
  return el('cputune', {}, kids);
}

export function iothreadElements(args: InstallArgs): XNode[] {
  if (!has(args, 'iothreads')) return [];
  const t = last(args, 'iothreads');
  const out: XNode[] = [];
  const n = t.get('iothreads');
  if (n !== undefined) out.push(el('iothreads', {}, n));
  const ids = [...t.indexed(/^iothreadids\.iothread([0-9]+)\.(.+)$/).values()];
  if (ids.length > 0) out.push(el('iothreadids', {}, ids.map((i) => el('iothread', { id: i.get('id'), thread_pool_min: i.get('thread_pool_min'), thread_pool_max: i.get('thread_pool_max') }))));
  if (t.has('defaultiothread.thread_pool_min') || t.has('defaultiothread.thread_pool_max')) {
    out.push(el('defaultiothread', { thread_pool_min: t.get('defaultiothread.thread_pool_min'), thread_pool_max: t.get('defaultiothread.thread_pool_max') }));
  }
  return out;
}
