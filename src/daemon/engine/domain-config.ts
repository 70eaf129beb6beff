/**
 * setmem, setmaxmem and setvcpus with virsh's --live / --config: a live
 * change goes through the driver, a config change rewrites the persistent
 * definition. Neither flag means "current": live when the domain runs,
 * config when it does not (virDomainModificationImpact).
 */
import { VirtkitError } from '../../core/errors.js';
import { vcpuSlots, withVcpuSlots } from '../../core/qemu/hotplug/vcpu-plan.js';
import { parseCpuset } from '../../core/xml/values.js';
import type { DomainDef } from '../domain-xml.js';
import type { RunningDomain } from '../driver.js';
import { isActive } from '../state.js';
import type { ActionOf, DispatchOptions, DomainInfo } from './actions.js';
import type { EngineContext } from './context.js';
import type { DomainRecord } from './registry.js';

export interface Impact {
  readonly live?: boolean | undefined;
  readonly config?: boolean | undefined;
}

export function impact(rec: DomainRecord, f: Impact): { live: boolean; config: boolean } {
  const active = isActive(rec.state.state);
  const current = f.live !== true && f.config !== true;
  const live = f.live === true || (current && active);
  const config = f.config === true || (current && !active);
  if (live && !active) throw new VirtkitError('OPERATION_INVALID', `domain '${rec.name}' is not running: use --config to change its definition`);
  if (config && !rec.persistent) throw new VirtkitError('OPERATION_INVALID', `cannot change the persistent configuration of transient domain '${rec.name}'`);
  return { live, config };
}

/** Rewrites the stored definition of `rec` with `change` applied. */
export async function updateConfig(ctx: EngineContext, rec: DomainRecord, change: (def: DomainDef) => void): Promise<void> {
  const x = await ctx.xml();
  const def = structuredClone(await ctx.defOf(rec));
  change(def);
  const checked = x.prepareDomain(def, ctx.deps.prepare);
  const xml = x.formatDomain(checked);
  await ctx.deps.config.save(rec.name, xml);
  rec.xml = xml;
  rec.def = checked;
  rec.summary = x.summarizeDomain(checked);
  ctx.definitionsChanged();
}

export async function refreshLive(ctx: EngineContext, rec: DomainRecord): Promise<void> {
  const { summarizeDomain } = await ctx.xml();
  const h = rec.runtime?.handle;
  if (rec.runtime && h) rec.runtime = { ...rec.runtime, liveDef: h.liveDef, liveSummary: summarizeDomain(h.liveDef) };
}

/**
 * Runs a change on the running domain, then takes its live definition into the record and the
 * status file (a restarted daemon re-attaches with it), also when the change failed halfway
 * (a vCPU plugged before the next one failed).
 */
async function liveChange(ctx: EngineContext, rec: DomainRecord, change: (h: RunningDomain) => Promise<void>): Promise<void> {
  try {
    await change(ctx.requireHandle(rec));
  } finally {
    await afterLive(ctx, rec);
  }
}

/** Takes the running domain's live definition into its record and, while it runs, its status file. */
export async function afterLive(ctx: EngineContext, rec: DomainRecord): Promise<void> {
  await refreshLive(ctx, rec);
  if (rec.runtime) await ctx.writeStatus(rec);
}

export function onDomainJob(ctx: EngineContext, ref: string, job: string, opts: DispatchOptions, fn: (rec: DomainRecord) => Promise<void>): Promise<DomainInfo> {
  const name = ctx.registry.resolve(ref).name;
  return ctx.job(name, job, opts, async () => {
    const rec = ctx.registry.named(name);
    await fn(rec);
    return ctx.view(rec);
  });
}

const maxOf = (def: DomainDef): number => def.memory?.value ?? 0;

export const setMemory = (ctx: EngineContext, a: ActionOf<'setMemory'>, opts: DispatchOptions): Promise<DomainInfo> =>
  onDomainJob(ctx, a.name, 'setmem', opts, async (rec) => {
    const to = impact(rec, a);
    if (to.config) {
      const max = maxOf(await ctx.defOf(rec));
      if (a.kib > max) throw new VirtkitError('INVALID_ARGUMENT', `cannot set memory higher than max memory (${a.kib} KiB > ${max} KiB)`);
    }
    if (to.live) {
      await liveChange(ctx, rec, (h) => h.setMemory(a.kib));
    }
    if (to.config) await updateConfig(ctx, rec, (def) => { def.currentMemory = { value: a.kib }; });
  });

export const setMaxMemory = (ctx: EngineContext, a: ActionOf<'setMaxMemory'>, opts: DispatchOptions): Promise<DomainInfo> =>
  onDomainJob(ctx, a.name, 'setmaxmem', opts, async (rec) => {
    const to = impact(rec, a);
    if (to.live) {
      throw new VirtkitError('OPERATION_INVALID', `cannot resize the maximum memory of active domain '${rec.name}': use --config, and it applies at the next start`);
    }
    await updateConfig(ctx, rec, (def) => {
      def.memory = { ...def.memory, value: a.kib };
      if ((def.currentMemory?.value ?? 0) > a.kib) def.currentMemory = { value: a.kib };
    });
  });

export const setVcpus = (ctx: EngineContext, a: ActionOf<'setVcpus'>, opts: DispatchOptions): Promise<DomainInfo> =>
  onDomainJob(ctx, a.name, 'setvcpus', opts, async (rec) => {
    const to = impact(rec, a);
    if (a.maximum === true && to.live) {
      throw new VirtkitError('OPERATION_INVALID', 'the maximum vCPU count of a running domain cannot change: use --maximum with --config');
    }
    if (to.config) {
      const def = await ctx.defOf(rec);
      const max = def.vcpu?.value ?? 1;
      if (a.maximum !== true && a.count > max) {
        throw new VirtkitError('INVALID_ARGUMENT', `requested vcpus is greater than max allowable vcpus for the persistent domain: ${a.count} > ${max}`);
      }
    }
    if (to.live) {
      await liveChange(ctx, rec, (h) => h.setVcpus(a.count, () => {
        // The guest ejected a vCPU after the unplug timed out: record the live count it has now.
        afterLive(ctx, rec).catch((e: unknown) => ctx.log.error(`cannot record the late vCPU unplug of domain '${rec.name}': ${(e as Error).message}`));
      }));
    }
    if (to.config) {
      await updateConfig(ctx, rec, (def) => {
        if (a.maximum === true) {
          const next = withVcpuMaximum(def, a.count);
          for (const k of Object.keys(def)) if (!(k in next)) delete (def as Record<string, unknown>)[k]; // an emptied <cputune> goes
          Object.assign(def, next);
          return;
        }
        const vcpu = { ...(def.vcpu ?? { value: 1 }) };
        if (a.count === vcpu.value) delete vcpu.current;
        else vcpu.current = a.count;
        def.vcpu = vcpu;
        // A <vcpus> of the old counts would no longer start: the new one enables ids below the current count (QEMU's -smp).
        if (def.vcpus !== undefined) {
          delete def.vcpus;
          Object.assign(def, withVcpuSlots(def, vcpuSlots(def)));
        }
      });
    }
  });

/**
 * `def` with a maximum of `max` vCPUs, as libvirt's qemuDomainSetVcpusMax (virDomainDefSetVcpusMax)
 * does it: the vCPUs below the new maximum keep their state, so the current count stays; the
 * ones added are offline (and hotpluggable); lowering the maximum drops the vCPUs above it, and
 * with them the current count when it was higher. A `<vcpus>` keeps its entries below the new
 * maximum, gains disabled hotpluggable ones, and loses the order of each (libvirt clears it:
 * it may no longer be valid).
 */
function withVcpuMaximum(def: DomainDef, max: number): DomainDef {
  // libvirt's two checks before it changes anything.
  const t = def.cpu?.topology;
  const topologyCpus = t === undefined ? undefined : t.sockets * (t.dies ?? 1) * (t.clusters ?? 1) * t.cores * t.threads;
  if (topologyCpus !== undefined && topologyCpus !== max) {
    throw new VirtkitError('INVALID_ARGUMENT', `CPU topology doesn't match the desired vcpu count: <cpu><topology> has ${topologyCpus} vCPUs, not ${max}; change the topology first`,
      { details: { path: '/domain/cpu/topology', topologyCpus, count: max } });
  }
  const numaCpus = (def.cpu?.numa?.cell ?? []).reduce((n, c) => n + (c.cpus === undefined ? 0 : parseCpuset(c.cpus).length), 0);
  if (numaCpus > max) {
    throw new VirtkitError('INVALID_ARGUMENT', `Number of CPUs in <numa> exceeds the desired maximum vcpu count: the cells hold ${numaCpus} vCPUs, more than ${max}`,
      { details: { path: '/domain/cpu/numa', numaCpus, count: max } });
  }
  const slots = vcpuSlots(def).slice(0, max).map(({ order: _order, ...s }) => s);
  for (let id = slots.length; id < max; id++) slots.push({ id, enabled: false, hotpluggable: true });
  const current = slots.filter((s) => s.enabled).length;
  if (current === 0) {
    throw new VirtkitError('INVALID_ARGUMENT', `cannot lower the maximum to ${max} vCPUs: none of vCPUs 0 to ${max - 1} is enabled`);
  }
  const next = { ...def, vcpu: { ...(def.vcpu ?? { value: 1 }), value: max } };
  // libvirt keeps a vCPU's pinning with the vCPU: the pins of vCPUs above the new maximum go with them.
  const pins = def.cputune?.vcpupin;
  if (def.cputune !== undefined && pins !== undefined && pins.some((p) => p.vcpu >= max)) {
    const { vcpupin: _all, ...rest } = def.cputune;
    const kept = pins.filter((p) => p.vcpu < max);
    const cputune = kept.length > 0 ? { ...rest, vcpupin: kept } : rest;
    if (Object.values(cputune).some((v) => v !== undefined)) next.cputune = cputune;
    else delete next.cputune;
  }
  if (def.vcpus !== undefined) return withVcpuSlots(next, slots);
  if (current === max) delete next.vcpu.current;
  else next.vcpu.current = current;
  return next;
}
