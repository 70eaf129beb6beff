/**
 * Queries: they read the registry as it is and never wait behind a job
 * (a domain being started shows its state before the start).
 */
import { isActive, type DomainState } from '../state.js';
import type { ActionOf, ActionResults, DomainInfo, ListFilter, StateGroup } from './actions.js';
import type { EngineContext } from './context.js';

function group(state: DomainState): StateGroup {
  return state === 'running' || state === 'paused' || state === 'shutoff' ? state : 'other';
}

export function matches(d: DomainInfo, f: ListFilter): boolean {
  if (f.states !== undefined && !f.states.includes(group(d.state))) return false;
  if (f.active !== undefined && isActive(d.state) !== f.active) return false;
  if (f.persistent !== undefined && d.persistent !== f.persistent) return false;
  if (f.autostart !== undefined && d.autostart !== f.autostart) return false;
  return true;
}

export function listDomains(ctx: EngineContext, a: ActionOf<'list'>): Promise<ActionResults['list']> {
  const all = ctx.registry.all().map((r) => ctx.view(r)).filter((d) => matches(d, a.filter));
  return Promise.resolve(all.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0)));
}

export function getDomain(ctx: EngineContext, a: ActionOf<'get'>): Promise<ActionResults['get']> {
  return Promise.resolve().then(() => ctx.view(ctx.registry.resolve(a.name)));
}

/** The running definition (with its id) while active, else, or with `inactive`, the persistent one. */
export async function dumpXml(ctx: EngineContext, a: ActionOf<'dumpxml'>): Promise<ActionResults['dumpxml']> {
  const rec = ctx.registry.resolve(a.name);
  const rt = rec.runtime;
  const { formatDomain, persistentForm } = await ctx.xml();
  // Aliases only in the live XML, as libvirt (a definition stored by an older virtkit may carry them).
  if (rt === undefined || a.inactive === true) return formatDomain(persistentForm(await ctx.defOf(rec)));
  // The agent port's connected/disconnected, as the guest last said (it changes with no job).
  return formatDomain(rt.handle?.agent?.withPortState?.(rt.liveDef) ?? rt.liveDef, { id: rt.id });
}

export async function domainStats(ctx: EngineContext, a: ActionOf<'stats'>): Promise<ActionResults['stats']> {
  return ctx.requireHandle(ctx.registry.resolve(a.name)).stats();
}

export async function hostInfo(ctx: EngineContext): Promise<ActionResults['host']> {
  const [node, hypervisor] = await Promise.all([
    ctx.deps.nodeInfo(),
    ctx.driver().then((d) => d.version()).catch(() => null),
  ]);
  return { hostname: ctx.deps.hostname(), version: ctx.deps.version, uri: ctx.deps.layout.uri, hypervisor, node };
}

export async function openConsole(ctx: EngineContext, a: ActionOf<'console'>): Promise<ActionResults['console']> {
  const rec = ctx.registry.resolve(a.name);
  const handle = ctx.requireHandle(rec);
  return ctx.consoles.open(rec.uuid, rec.name, a.force ?? false, () => handle.openConsole());
}
