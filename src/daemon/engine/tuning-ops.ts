/**
 * vcpupin, emulatorpin, iothreadpin, schedinfo and numatune (docs/tuning.md): `tuning` reads the
 * live or the persistent definition (and, live, the cgroup's bandwidth), `setTuning` applies one
 * change with virsh's --live/--config: live through the driver (the changed live definition is
 * applied to QEMU's threads and cgroup), config by rewriting the definition.
 */
import { VirtkitError } from '../../core/errors.js';
import type { SchedValues, TuningChange, TuningView } from '../../core/tuning/change.js';
import { applyTuningChange, schedFromDef, tuningView } from '../../core/tuning/change.js';
import type { ActionOf, DispatchOptions, DomainInfo } from './actions.js';
import type { EngineContext } from './context.js';
import { impact, onDomainJob, refreshLive, updateConfig } from './domain-config.js';

export interface TuningReport extends TuningView {
  /** Which definition this is. */
  readonly of: 'live' | 'config';
  readonly hostCpus: number;
  readonly sched: SchedValues;
}

export type { TuningChange };

export async function tuningReport(ctx: EngineContext, a: ActionOf<'tuning'>): Promise<TuningReport> {
  const rec = ctx.registry.resolve(a.name);
  const rt = rec.runtime;
  const live = a.config !== true && rt !== undefined;
  if (a.config === true && !rec.persistent) throw new VirtkitError('OPERATION_INVALID', `transient domain '${rec.name}' has no persistent definition`);
  const hostCpus = (await ctx.host.topology()).cpus.length;
  const def = live ? rt.liveDef : await ctx.defOf(rec);
  const handle = live ? rt.handle : undefined;
  const sched = handle?.tuning !== undefined ? await handle.tuning.sched() : schedFromDef(def);
  return { of: live ? 'live' : 'config', hostCpus, sched, ...tuningView(def, hostCpus) };
}

export const setTuning = (ctx: EngineContext, a: ActionOf<'setTuning'>, opts: DispatchOptions): Promise<DomainInfo> =>
  onDomainJob(ctx, a.name, 'tune', opts, async (rec) => {
    const to = impact(rec, a);
    const hostCpus = (await ctx.host.topology()).cpus.length;
    // Both are checked before either changes: a refused config change leaves the live one undone too.
    const config = to.config ? applyTuningChange(await ctx.defOf(rec), a.change, { live: false, hostCpus }) : undefined;
    if (to.live) {
      const h = ctx.requireHandle(rec);
      if (h.tuning === undefined) throw new VirtkitError('UNSUPPORTED_OPERATION', `this driver cannot change the tuning of running domain '${rec.name}'`);
      await h.tuning.retune(applyTuningChange(h.liveDef, a.change, { live: true, hostCpus }));
      await refreshLive(ctx, rec);
    }
    if (config !== undefined) {
      await updateConfig(ctx, rec, (def) => {
        if (config.cputune !== undefined) def.cputune = config.cputune;
        if (config.numatune !== undefined) def.numatune = config.numatune;
      });
    }
  });
