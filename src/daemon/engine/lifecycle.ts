/**
 * Actions that start, stop or change running guests. They go through the
 * hypervisor driver; the engine keeps the state, the status file and the
 * events. Each runs as the domain's one job.
 */
import { VirtkitError } from '../../core/errors.js';
import type { DomainDef } from '../domain-xml.js';
import type { RunningDomain } from '../driver.js';
import { checkSocketPath, domainRuntimePaths } from '../paths.js';
import { isActive } from '../state.js';
import type { ActionOf, ActionResults, DispatchOptions, DomainInfo } from './actions.js';
import { newRecord, prepareFor } from './config-ops.js';
import { errorText, type EngineContext } from './context.js';
import type { DomainRecord } from './registry.js';
import { resolveVolumeDisks } from './volume-disks.js';
import { diskKeys } from './disk-key-values.js';
import { placeForStart, type Placed } from './placement.js';
import { prepareHostdevs, releaseHostdevs } from '../nodedev/hostdevs.js';
import { startChains } from '../snapshots/chain.js';

/** Starts `def` as the running configuration of `rec` (inside its job). */
export async function launch(ctx: EngineContext, rec: DomainRecord, def: DomainDef, paused: boolean): Promise<void> {
  const driver = await ctx.driver();
  const paths = domainRuntimePaths(ctx.deps.layout, rec.name, rec.uuid);
  checkSocketPath(paths.qmpSocket);
  checkSocketPath(paths.consoleSocket);
  // Volume disks first (an rbd pool's volume brings the pool's <auth>); then the keys: an unknown
  // secret, or one without a value, refuses the start before anything runs.
  const resolved = await resolveVolumeDisks(ctx.storage, def);
  const keys = diskKeys(ctx, resolved.devices?.disk ?? []);
  let handle: RunningDomain;
  let ready: DomainDef;
  let placed: Placed | undefined;
  try {
    // <vcpu placement='auto'>: the host's CPUs and memory chosen, reserved until the runtime record holds them.
    placed = await placeForStart(ctx, resolved);
    // Host PCI devices to vfio-pci, VFs from hostdev networks, SR-IOV VFs' MAC/VLAN (docs/passthrough.md).
    ready = await prepareHostdevs(ctx, rec.name, placed.def);
  } catch (e) {
    placed?.done();
    ctx.setState(rec, { state: 'shutoff', reason: 'failed' });
    throw e;
  }
  try {
    handle = await driver.start(ready, paths, { paused, ...(keys === undefined ? {} : { diskKeys: keys }) });
  } catch (e) {
    placed.done();
    await releaseHostdevs(ctx, rec.name, ready);
    ctx.setState(rec, { state: 'shutoff', reason: 'failed' });
    throw e;
  }
  const { summarizeDomain } = await ctx.xml();
  rec.runtime = {
    id: ctx.registry.allocateId(), handle, liveDef: handle.liveDef, liveSummary: summarizeDomain(handle.liveDef),
    pid: handle.pid, qmpSocket: handle.qmpSocket, startedAt: handle.startedAt, argv: handle.argv,
    aliases: handle.aliases, ...(placed.holding === undefined ? {} : { placement: placed.holding }),
  };
  placed.done();
  await startChains(ctx, rec);
  ctx.watch(rec, handle);
  ctx.setState(rec, { state: 'running', reason: 'booted' }, { event: 'started', detail: 'booted' });
  if (paused) ctx.setState(rec, { state: 'paused', reason: 'user' }, { event: 'suspended', detail: 'paused' });
  try {
    await ctx.writeStatus(rec);
  } catch (e) {
    await abandonStart(ctx, rec, handle, e);
  }
}

/**
 * The guest runs but its status file could not be written: a restarted virtkitd would
 * not know it (no re-attach, a second start of the same disks). Stop it and fail the start.
 */
async function abandonStart(ctx: EngineContext, rec: DomainRecord, handle: RunningDomain, cause: unknown): Promise<never> {
  if (rec.runtime) rec.runtime.expectedStop = 'failed';
  let stopped = 'it was stopped again';
  try {
    await handle.destroy({ graceful: false });
  } catch (e) {
    stopped = `stopping it failed too (${errorText(e)}), pid ${handle.pid} may still run`;
  }
  ctx.markStopped(rec, handle, 'failed');
  throw new VirtkitError('IO_ERROR', `domain '${rec.name}' started but its status could not be recorded ` +
    `(${errorText(cause)}); without it a restarted virtkitd cannot re-attach to the guest, so ${stopped}`,
  { cause, details: { domain: rec.name } });
}

function alreadyActive(rec: DomainRecord): VirtkitError {
  return new VirtkitError('OPERATION_INVALID', `domain '${rec.name}' is already active`, { details: { domain: rec.name } });
}

export async function startDomain(
  ctx: EngineContext,
  a: ActionOf<'start'>,
  opts: DispatchOptions,
): Promise<ActionResults['start']> {
  const name = ctx.registry.resolve(a.name).name;
  return ctx.job(name, 'start', opts, async () => {
    const rec = ctx.registry.named(name);
    if (isActive(rec.state.state)) throw alreadyActive(rec);
    await launch(ctx, rec, await ctx.defOf(rec), a.paused ?? false);
    return ctx.view(rec);
  });
}

/** Starts a domain from XML without defining it; an inactive domain of that name runs this XML once. */
export async function createDomain(
  ctx: EngineContext,
  a: ActionOf<'create'>,
  opts: DispatchOptions,
): Promise<ActionResults['create']> {
  const prepared = await prepareFor(ctx, a.xml);
  const { def } = prepared;
  const fresh = newRecord(prepared, false);
  return ctx.job(fresh.name, 'create', opts, async () => {
    const existing = ctx.registry.byName(fresh.name);
    if (existing) {
      if (existing.uuid !== fresh.uuid) {
        throw new VirtkitError('DOMAIN_EXISTS', `domain '${existing.name}' already exists with UUID ${existing.uuid}`, {
          details: { domain: existing.name, uuid: existing.uuid },
        });
      }
      if (isActive(existing.state.state)) throw alreadyActive(existing);
      await launch(ctx, existing, def, a.paused ?? false);
      return ctx.view(existing);
    }
    const release = ctx.registry.reserveUuid(fresh.uuid, fresh.name);
    try {
      await launch(ctx, fresh, def, a.paused ?? false);
    } finally {
      release();
    }
    ctx.registry.add(fresh);
    return ctx.view(fresh);
  });
}

/** Runs `fn` on a running domain as its job. */
async function onRunning(
  ctx: EngineContext,
  ref: string,
  job: string,
  opts: DispatchOptions,
  fn: (rec: DomainRecord, handle: RunningDomain) => Promise<void>,
): Promise<DomainInfo> {
  const name = ctx.registry.resolve(ref).name;
  return ctx.job(name, job, opts, async () => {
    const rec = ctx.registry.named(name);
    await fn(rec, ctx.requireHandle(rec));
    return ctx.view(rec);
  });
}

export const shutdownDomain = (ctx: EngineContext, a: ActionOf<'shutdown'>, opts: DispatchOptions): Promise<DomainInfo> =>
  onRunning(ctx, a.name, 'shutdown', opts, (_rec, h) => h.shutdown(a.mode));

export const rebootDomain = (ctx: EngineContext, a: ActionOf<'reboot'>, opts: DispatchOptions): Promise<DomainInfo> =>
  onRunning(ctx, a.name, 'reboot', opts, (_rec, h) => h.reboot(a.mode));

export const resetDomain = (ctx: EngineContext, a: ActionOf<'reset'>, opts: DispatchOptions): Promise<DomainInfo> =>
  onRunning(ctx, a.name, 'reset', opts, (_rec, h) => h.reset());

export const destroyDomain = (ctx: EngineContext, a: ActionOf<'destroy'>, opts: DispatchOptions): Promise<DomainInfo> =>
  onRunning(ctx, a.name, 'destroy', opts, async (rec, h) => {
    if (rec.runtime) rec.runtime.expectedStop = 'destroyed';
    try {
      await h.destroy({ graceful: a.graceful ?? false });
    } catch (e) {
      if (rec.runtime) delete rec.runtime.expectedStop;
      throw e;
    }
    ctx.markStopped(rec, h, 'destroyed');
  });

/** Like QEMU's driver in libvirt, suspending a paused domain (or resuming a running one) does nothing. */
export const suspendDomain = (ctx: EngineContext, a: ActionOf<'suspend'>, opts: DispatchOptions): Promise<DomainInfo> =>
  onRunning(ctx, a.name, 'suspend', opts, async (rec, h) => {
    if (rec.state.state === 'paused') return;
    await h.suspend();
    ctx.setState(rec, { state: 'paused', reason: 'user' }, { event: 'suspended', detail: 'paused' });
  });

export const resumeDomain = (ctx: EngineContext, a: ActionOf<'resume'>, opts: DispatchOptions): Promise<DomainInfo> =>
  onRunning(ctx, a.name, 'resume', opts, async (rec, h) => {
    if (rec.state.state === 'running') return;
    if (rec.state.state === 'pmsuspended') {
      throw new VirtkitError('OPERATION_INVALID', `domain '${rec.name}' is suspended to memory: wake it up instead`);
    }
    await h.resume();
    ctx.setState(rec, { state: 'running', reason: 'unpaused' }, { event: 'resumed', detail: 'unpaused' });
  });
