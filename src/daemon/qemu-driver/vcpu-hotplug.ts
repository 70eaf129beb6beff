/**
 * setvcpus --live on a running QEMU: the plan from src/core/qemu/hotplug/vcpu-plan.ts carried out
 * over QMP. A plug is done when device_add returns; an unplug when QEMU reports DEVICE_DELETED,
 * which needs the guest to eject the vCPU through ACPI: a guest that does not within
 * unplugTimeoutMs gets OPERATION_TIMEOUT, and the vCPU counts as enabled until it does. Each
 * step updates the live definition as it succeeds, so a failure halfway leaves it true; the
 * vCPU threads are then pinned and scheduled again as <cputune> says (tuning.ts).
 */
import { VirtkitError } from '../../core/errors.js';
import type { HotpluggableCpu, VcpuSlot } from '../../core/qemu/hotplug/vcpu-plan.js';
import { planSetVcpus, planStartupVcpus, vcpuDeviceId, vcpuSlots, withVcpuSlots } from '../../core/qemu/hotplug/vcpu-plan.js';
import type { DomainDef } from '../domain-xml.js';
import type { Monitor } from './monitor.js';

export interface LiveVcpuParts {
  readonly monitor: Monitor;
  readonly live: () => DomainDef;
  readonly setLive: (def: DomainDef) => void;
  /** How long an unplug waits for the guest to eject the vCPU, ms. */
  readonly unplugTimeoutMs: number;
  /** Pins and schedules the vCPU threads of the new live definition (no-op without <cputune>). */
  readonly retune: (def: DomainDef) => Promise<void>;
  readonly warn: (message: string) => void;
}

/** Plugs the enabled hotpluggable vCPUs of `<vcpus>` into a QEMU still paused at start (-S), as libvirt does. */
export async function plugStartupVcpus(monitor: Monitor, def: DomainDef): Promise<void> {
  if (!(def.vcpus?.vcpu ?? []).some((v) => v.enabled && v.hotpluggable === true)) return;
  const steps = planStartupVcpus(def, (await monitor.execute('query-hotpluggable-cpus')) as HotpluggableCpu[]);
  for (const s of steps) {
    try {
      await monitor.execute(s.call.command, s.call.args);
    } catch (e) {
      throw new VirtkitError('QEMU_FAILED', `cannot plug vCPU ${s.vcpu} at start (/domain/vcpus): ${(e as Error).message}`, { cause: e, details: { vcpu: s.vcpu } });
    }
  }
}

/**
 * The vCPU a DEVICE_DELETED is about. QEMU 7.2 reports an ejected vCPU only by its child
 * (`{"path": "/machine/peripheral/vcpu1/lapic"}`, no `device`), newer ones by its id: take both.
 */
export function deletedVcpu(data: Readonly<Record<string, unknown>>): number | undefined {
  const byId = typeof data['device'] === 'string' ? /^vcpu(\d+)$/.exec(data['device']) : null;
  const byPath = typeof data['path'] === 'string' ? /^\/machine\/peripheral\/vcpu(\d+)(?:\/|$)/.exec(data['path']) : null;
  const m = byId ?? byPath;
  return m === null ? undefined : Number(m[1]);
}

/** ACPI _OST status of an eject request (source 3): 0 done, 0x84 in progress, anything else the guest's refusal. */
const OST_EJECT = 3;
const OST_EJECT_IN_PROGRESS = 0x84;

/** The vCPU whose eject the guest refused (ACPI_DEVICE_OST), with its _OST status; undefined for anything else. */
export function refusedVcpu(data: Readonly<Record<string, unknown>>): { vcpu: number; status: number } | undefined {
  const info = data['info'] as { device?: unknown; source?: unknown; status?: unknown } | undefined;
  const m = typeof info?.device === 'string' ? /^vcpu(\d+)$/.exec(info.device) : null;
  if (m === null || info?.source !== OST_EJECT || typeof info.status !== 'number') return undefined;
  return info.status === 0 || info.status === OST_EJECT_IN_PROGRESS ? undefined : { vcpu: Number(m[1]), status: info.status };
}

interface Waiter {
  readonly released: () => void;
  readonly refused: (status: number) => void;
}

export class QemuLiveVcpus {
  /** vCPU device ids sent device_del, resolved by their DEVICE_DELETED (or refused by the guest). */
  readonly #unplugged = new Map<string, Waiter>();
  /** Who hears of a vCPU the guest ejected after its unplug timed out, by device id. */
  readonly #late = new Map<string, () => void>();

  constructor(private readonly p: LiveVcpuParts) {
    p.monitor.onEvent((event, data) => {
      const refused = event === 'ACPI_DEVICE_OST' ? refusedVcpu(data) : undefined;
      if (refused !== undefined) this.#unplugged.get(vcpuDeviceId(refused.vcpu))?.refused(refused.status);
      const vcpu = event === 'DEVICE_DELETED' ? deletedVcpu(data) : undefined;
      if (vcpu === undefined) return;
      // Also when no one waits any more (the guest ejected it after a timeout): the vCPU is gone all the same.
      this.#commit(vcpu, false);
      const id = vcpuDeviceId(vcpu);
      this.#unplugged.get(id)?.released();
      this.#late.get(id)?.();
      this.#late.delete(id);
    });
  }

  /** Sets the enabled vCPU count; `onLate` hears of a vCPU ejected only after its unplug timed out. */
  async set(count: number, onLate?: () => void): Promise<void> {
    const slots = vcpuSlots(this.p.live());
    const cpus = (await this.p.monitor.execute('query-hotpluggable-cpus')) as HotpluggableCpu[];
    const plan = planSetVcpus(slots, count, cpus);
    let failure: unknown;
    for (const step of plan.steps) {
      try {
        if (step.call.command === 'device_add') await this.#execute(step.call.command, step.call.args);
        else await this.#unplug(step.vcpu, onLate);
      } catch (e) {
        failure = e;
        break;
      }
      if (step.call.command === 'device_add') this.#commit(step.vcpu, true);
    }
    if (plan.steps.length > 0) {
      await this.p.retune(this.p.live()).catch((e: unknown) => {
        failure ??= e;
      });
    }
    if (failure !== undefined) throw failure;
  }

  /** Writes vCPU `id` as enabled (the next in order) or disabled into the live definition. */
  #commit(id: number, enabled: boolean): void {
    const live = this.p.live();
    const slots = vcpuSlots(live);
    const order = Math.max(0, ...slots.map((s) => s.order ?? 0)) + 1;
    const next = slots.map((s): VcpuSlot => {
      if (s.id !== id || s.enabled === enabled) return s;
      return enabled ? { ...s, enabled, order } : { id: s.id, enabled, hotpluggable: s.hotpluggable };
    });
    this.p.setLive(withVcpuSlots(live, next));
  }

  async #execute(command: string, args: Readonly<Record<string, unknown>>): Promise<void> {
    try {
      await this.p.monitor.execute(command, args);
    } catch (e) {
      throw new VirtkitError('QEMU_FAILED', `${command} of a vCPU failed: ${(e as Error).message}`, { cause: e, details: { command, args } });
    }
  }

  async #unplug(vcpu: number, onLate: (() => void) | undefined): Promise<void> {
    const id = vcpuDeviceId(vcpu);
    this.#late.delete(id);
    const outcome = new Promise<true | number>((resolve) => this.#unplugged.set(id, { released: () => resolve(true), refused: resolve }));
    let timer: NodeJS.Timeout | undefined;
    try {
      await this.#execute('device_del', { id });
      const timedOut = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), this.p.unplugTimeoutMs); });
      const done = await Promise.race([outcome, timedOut]);
      if (typeof done === 'number') {
        throw new VirtkitError('OPERATION_INVALID', `the guest refused to eject vCPU ${vcpu} (ACPI _OST status 0x${done.toString(16)}); ` +
          'the vCPU stays enabled: use setvcpus --config and restart the domain', { details: { vcpu, ostStatus: done } });
      }
      if (!done) {
        if (onLate !== undefined) this.#late.set(id, onLate);
        throw new VirtkitError('OPERATION_TIMEOUT', `the guest did not eject vCPU ${vcpu} within ${this.p.unplugTimeoutMs / 1000} s of the unplug ` +
          'request (it needs ACPI CPU hotplug support and a kernel that lets the vCPU go); the vCPU stays enabled: ' +
          'try again later, or use setvcpus --config and restart the domain', { details: { vcpu } });
      }
    } finally {
      clearTimeout(timer);
      this.#unplugged.delete(id);
    }
  }
}
