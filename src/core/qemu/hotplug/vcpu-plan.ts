/**
 * vCPU hotplug as plans of QMP commands, the way libvirt's qemuDomainSetVcpusLive does it on a
 * QEMU with query-hotpluggable-cpus: each vCPU id of the domain is one entry of that list,
 * sorted by socket, die, cluster, core and thread; a grow device_adds the missing entries in
 * ascending id order (device id `vcpuN`, the entry's type and topology ids), a shrink
 * device_dels the hot-plugged ones in descending id order. vCPUs that QEMU made from -smp are
 * not hotpluggable (libvirt: hotpluggable='no') and are never removed.
 *
 * The state lives in the live definition: `<vcpu current='N'>` and `<vcpus>` with each vCPU's
 * enabled, hotpluggable and order, as libvirt's live XML shows it. Pure: the driver runs the plan.
 */
import { VirtkitError } from '../../errors.js';
import type { DomainDef } from '../../xml/domain/index.js';
import type { QmpCall } from './disk-plan.js';

export interface VcpuSlot {
  readonly id: number;
  readonly enabled: boolean;
  readonly hotpluggable: boolean;
  /** The order the vCPU came online in (1 for the first); absent while disabled. */
  readonly order?: number;
}

/** An entry of query-hotpluggable-cpus. */
export interface HotpluggableCpu {
  readonly type: string;
  readonly 'vcpus-count': number;
  readonly props: Readonly<Record<string, number>>;
  readonly 'qom-path'?: string;
}

export interface VcpuPlan {
  /** device_add or device_del calls, in the order to send them; each names one vCPU. */
  readonly steps: readonly { readonly vcpu: number; readonly call: QmpCall }[];
  /** The slots once every step has succeeded. */
  readonly slots: readonly VcpuSlot[];
}

export const vcpuDeviceId = (id: number): string => `vcpu${id}`;

const maxOf = (def: DomainDef): number => def.vcpu?.value ?? 1;

/**
 * Every vCPU of `def`: from `<vcpus>` when present, otherwise the first `current` vCPUs enabled
 * and not hotpluggable (QEMU makes them from -smp), the rest disabled and hotpluggable.
 */
export function vcpuSlots(def: DomainDef): VcpuSlot[] {
  const max = maxOf(def);
  const given = def.vcpus?.vcpu;
  if (given !== undefined && given.length > 0) {
    return [...given].sort((a, b) => a.id - b.id).map((v) => ({
      id: v.id, enabled: v.enabled, hotpluggable: v.hotpluggable ?? !v.enabled, ...(v.order === undefined ? {} : { order: v.order }),
    }));
  }
  const current = Math.min(def.vcpu?.current ?? max, max);
  return Array.from({ length: max }, (_, id) => (id < current ? { id, enabled: true, hotpluggable: false, order: id + 1 } : { id, enabled: false, hotpluggable: true }));
}

/** How many vCPUs -smp makes: those enabled and not hotpluggable (libvirt's qemuBuildSmpCommandLine); the rest are plugged. */
export function smpVcpus(def: DomainDef): number {
  return vcpuSlots(def).filter((s) => s.enabled && !s.hotpluggable).length;
}

/**
 * Why a start could not give the guest the vCPUs `<vcpus>` asks for, or undefined. QEMU makes
 * the first N vCPUs from -smp N, so the enabled vCPUs that are not hotpluggable must be ids
 * 0..N-1 (vCPU 0 among them); the enabled hotpluggable ones are plugged before the guest runs.
 */
export function startupVcpusProblem(def: DomainDef): string | undefined {
  const given = def.vcpus?.vcpu;
  if (given === undefined || given.length === 0) return undefined;
  const max = maxOf(def);
  const ids = given.map((v) => v.id).sort((a, b) => a - b);
  if (ids.length !== max || ids.some((id, i) => id !== i)) return `it must list each vCPU id from 0 to ${max - 1} once`;
  const slots = vcpuSlots(def);
  const enabled = slots.filter((v) => v.enabled).length;
  const current = def.vcpu?.current ?? max;
  if (enabled !== current) return `${enabled} vCPUs are enabled but <vcpu current> is ${current}`;
  const fixed = smpVcpus(def);
  const stray = slots.find((v) => v.enabled && !v.hotpluggable && v.id >= fixed);
  if (fixed === 0) return "vCPU 0 must be enabled with hotpluggable='no' (QEMU always makes it from -smp)";
  if (stray !== undefined) {
    return `the enabled vCPUs with hotpluggable='no' must be ids 0 to N-1 (QEMU makes them from -smp N): vCPU ${stray.id} is not; mark it hotpluggable='yes'`;
  }
  return undefined;
}

/** The device_add calls that plug the enabled hotpluggable vCPUs of `def` at start, in their `order` (then id). */
export function planStartupVcpus(def: DomainDef, hotpluggable: readonly HotpluggableCpu[]): VcpuPlan['steps'] {
  const slots = vcpuSlots(def);
  const plug = slots.filter((s) => s.enabled && s.hotpluggable).sort((a, b) => (a.order ?? Infinity) - (b.order ?? Infinity) || a.id - b.id);
  if (plug.length === 0) return [];
  const cpus = sortHotpluggable(hotpluggable);
  if (cpus.length !== slots.length || cpus.some((c) => c['vcpus-count'] !== 1)) {
    throw new VirtkitError('UNSUPPORTED_OPERATION', `cannot plug vCPUs at start: QEMU lists ${cpus.length} hotpluggable CPU slots for ${slots.length} vCPUs`);
  }
  return plug.map((s) => {
    const cpu = cpus[s.id] as HotpluggableCpu;
    return { vcpu: s.id, call: { command: 'device_add', args: { driver: cpu.type, id: vcpuDeviceId(s.id), ...cpu.props } } };
  });
}

const TOPOLOGY_KEYS = ['socket-id', 'die-id', 'cluster-id', 'core-id', 'thread-id'] as const;

/** query-hotpluggable-cpus in vCPU id order (QEMU lists them highest first). */
function sortHotpluggable(cpus: readonly HotpluggableCpu[]): HotpluggableCpu[] {
  const key = (c: HotpluggableCpu): number[] => TOPOLOGY_KEYS.map((k) => c.props[k] ?? 0);
  return [...cpus].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const i = ka.findIndex((v, j) => v !== kb[j]);
    return i < 0 ? 0 : (ka[i] ?? 0) - (kb[i] ?? 0);
  });
}

/** The QMP calls that take the running domain from `slots` to `count` enabled vCPUs. */
export function planSetVcpus(slots: readonly VcpuSlot[], count: number, hotpluggable: readonly HotpluggableCpu[]): VcpuPlan {
  const max = slots.length;
  if (!Number.isInteger(count) || count < 1 || count > max) {
    throw new VirtkitError('VCPU_COUNT_INVALID', `cannot set ${count} vCPUs on the running domain: the count must be from 1 to its maximum, ${max} ` +
      '(setvcpus --maximum --config raises the maximum for the next start)', { details: { count, maximum: max } });
  }
  const cpus = sortHotpluggable(hotpluggable);
  if (cpus.length !== max || cpus.some((c) => c['vcpus-count'] !== 1)) {
    throw new VirtkitError('UNSUPPORTED_OPERATION', `cannot change the vCPUs of the running domain: QEMU lists ${cpus.length} hotpluggable CPU slots ` +
      `for ${max} vCPUs (virtkit plugs one vCPU per slot)`, { details: { slots: cpus.length, maximum: max } });
  }
  const next = slots.map((s) => ({ ...s }));
  const enabled = next.filter((s) => s.enabled);
  const steps: { vcpu: number; call: QmpCall }[] = [];
  if (count > enabled.length) {
    let order = Math.max(0, ...enabled.map((s) => s.order ?? 0));
    for (const s of next.filter((x) => !x.enabled).slice(0, count - enabled.length)) {
      const cpu = cpus[s.id] as HotpluggableCpu;
      steps.push({ vcpu: s.id, call: { command: 'device_add', args: { driver: cpu.type, id: vcpuDeviceId(s.id), ...cpu.props } } });
      Object.assign(s, { enabled: true, order: ++order });
    }
  } else if (count < enabled.length) {
    const removable = enabled.filter((s) => s.hotpluggable).sort((a, b) => b.id - a.id);
    const need = enabled.length - count;
    if (removable.length < need) {
      const fixed = enabled.filter((s) => !s.hotpluggable).map((s) => s.id);
      throw new VirtkitError('VCPU_NOT_HOTPLUGGABLE', `cannot go down to ${count} vCPUs: vCPU${fixed.length === 1 ? '' : 's'} ${fixed.join(', ')} ` +
        `${fixed.length === 1 ? 'is' : 'are'} not hotpluggable (QEMU made ${fixed.length === 1 ? 'it' : 'them'} at start), so the domain keeps at least ${fixed.length}; ` +
        'use setvcpus --config and restart it', { details: { count, notHotpluggable: fixed } });
    }
    for (const s of removable.slice(0, need)) {
      steps.push({ vcpu: s.id, call: { command: 'device_del', args: { id: vcpuDeviceId(s.id) } } });
      Object.assign(s, { enabled: false });
      delete (s as { order?: number }).order;
    }
  }
  return { steps, slots: next };
}

/** `def` with `slots` written as `<vcpu current>` and `<vcpus>` (the live XML's form). */
export function withVcpuSlots(def: DomainDef, slots: readonly VcpuSlot[]): DomainDef {
  const max = maxOf(def);
  const current = slots.filter((s) => s.enabled).length;
  const vcpu = { ...(def.vcpu ?? { value: max }) };
  if (current === max) delete vcpu.current;
  else vcpu.current = current;
  return {
    ...def,
    vcpu,
    vcpus: { vcpu: slots.map((s) => ({ id: s.id, enabled: s.enabled, hotpluggable: s.hotpluggable, ...(s.order === undefined ? {} : { order: s.order }) })) },
  };
}
