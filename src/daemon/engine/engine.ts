/**
 * The engine: the registry and everything that changes it, behind
 * `dispatch(action)`. Built once at the composition root (daemon.ts).
 */
import type { LifecycleEvent } from '../state.js';
import type { ObjectEvent } from '../objects/object-events.js';
import { dispatch, type Action, type ActionResults, type DispatchOptions } from './actions.js';
import { EngineContext, errorText, type EngineDeps } from './context.js';
import { loadState, type LoadReport } from './load.js';
import { autostartPools, loadPools } from '../storage/load.js';
import { loadSecrets } from '../secrets/ops.js';
import { autostartNetworks, loadNetworks } from '../networks/load.js';
import { resolveNetworkBridge } from '../networks/queries.js';
import { resumeInstallPhases } from '../install/phases.js';

export class Engine {
  readonly ctx: EngineContext;

  constructor(deps: EngineDeps) {
    this.ctx = new EngineContext(deps);
  }

  /** Domains, then storage pools (a pool that cannot load is logged: domains do not depend on it). */
  async load(): Promise<LoadReport> {
    const report = await loadState(this.ctx);
    // Secrets before pools and autostart: an encrypted volume or disk needs its key.
    await loadSecrets(this.ctx.secrets).catch((e: unknown) => this.ctx.log.error(`cannot load the secrets: ${errorText(e)}`));
    const pools = await loadPools(this.ctx.storage).catch((e: unknown) => {
      this.ctx.log.error(`cannot load the storage pools: ${errorText(e)}`);
      return undefined;
    });
    const networks = await loadNetworks(this.ctx.networks).catch((e: unknown) => {
      this.ctx.log.error(`cannot load the networks: ${errorText(e)}`);
      return undefined;
    });
    if (networks !== undefined && networks.active > 0) this.ctx.log.info(`re-adopted ${networks.active} running network(s)`);
    // Install phases a previous virtkitd followed (the guests are re-attached by now).
    await resumeInstallPhases(this.ctx).catch((e: unknown) => this.ctx.log.error(`cannot resume install phases: ${errorText(e)}`));
    // Reported only when there are pools: the domain report stays as it was for instances without any.
    return pools === undefined || (pools.pools === 0 && pools.skipped.length === 0) ? report : { ...report, pools };
  }

  dispatch<A extends Action>(action: A, opts: DispatchOptions = {}): Promise<ActionResults[A['kind']]> {
    return dispatch(this.ctx, action, opts);
  }

  subscribe(listener: (e: LifecycleEvent) => void, filter?: { uuid?: string }): () => void {
    return this.ctx.events.subscribe(listener, filter);
  }

  /** Pool, secret or snapshot events; `uuid` filters (a snapshot's is its domain's). */
  subscribeObjects(kind: 'block-job' | 'pool' | 'network' | 'secret' | 'snapshot', listener: (e: ObjectEvent) => void, filter?: { uuid?: string }): () => void {
    if (kind === 'pool') return this.ctx.storage.events.subscribe(listener, filter);
    if (kind === 'network') return this.ctx.networks.events.subscribe(listener, filter);
    if (kind === 'secret') return this.ctx.secrets.events.subscribe(listener, filter);
    if (kind === 'block-job') return this.ctx.blockJobEvents.subscribe(listener, filter);
    return this.ctx.snapshotEvents.subscribe(listener, filter);
  }

  /** For domain interfaces of type network (the QEMU driver's resolver): the running network's bridge. */
  resolveNetwork(name: string, portgroup?: string): ReturnType<typeof resolveNetworkBridge> {
    return resolveNetworkBridge(this.ctx.networks, name, portgroup);
  }

  /** Starts every inactive pool, then every inactive domain, marked autostart; failures are logged, not thrown. */
  async autostartAll(): Promise<number> {
    const pools = await autostartPools(this.ctx.storage);
    if (pools > 0) this.ctx.log.info(`autostarted ${pools} pool(s)`);
    // Networks before domains: a domain's interface needs its network running.
    const networks = await autostartNetworks(this.ctx.networks);
    if (networks > 0) this.ctx.log.info(`autostarted ${networks} network(s)`);
    const todo = this.ctx.registry.all().filter((r) => r.autostart && !r.runtime);
    let started = 0;
    await Promise.all(todo.map(async (r) => {
      try {
        await this.dispatch({ kind: 'start', name: r.name }, { wait: 60_000 });
        started++;
      } catch (e) {
        this.ctx.log.error(`cannot autostart domain '${r.name}': ${errorText(e)}`);
      }
    }));
    return started;
  }

  /**
   * Lets go of running guests without stopping them (the daemon is exiting)
   * and waits for pending status writes.
   */
  async close(): Promise<void> {
    this.ctx.consoles.closeAll('virtkitd is shutting down');
    // Networks keep running (the next daemon re-adopts them): their dnsmasq's exit is no longer ours to handle.
    for (const n of this.ctx.networks.networks.all()) n.stopping = true;
    const records = this.ctx.registry.all();
    await Promise.all(records.map(async (r) => {
      try {
        await r.runtime?.handle?.detach();
      } catch (e) {
        this.ctx.log.warn(`detaching from domain '${r.name}': ${errorText(e)}`);
      }
    }));
    await Promise.all(records.map((r) => r.statusWrites));
    // Destroyed networks' bridges still being deleted (networks/bridge-graveyard.ts).
    await this.ctx.networks.close();
    await this.ctx.flushSummaries();
  }
}
