/**
 * Actions on networks: define, create (transient), undefine, start, destroy, autostart. Each
 * runs as the network's one job, checks before it acts, persists through the atomic stores
 * before it answers, and emits its event.
 */
import { VirtkitError } from '../../core/errors.js';
import type { NetworkDef } from '../../core/xml/network/index.js';
import type { NetworkContext } from './context.js';
import { activate, deactivate, requireInactive, type JobOpts } from './lifecycle.js';
import { checkHost, checkOtherNetworks, prepareNetworkXml } from './network-xml.js';
import { lookupNetwork } from './queries.js';
import type { NetworkInfo, NetworkRecord } from './records.js';

function newRecord(def: NetworkDef, xml: string, persistent: boolean): NetworkRecord {
  return { name: def.name, uuid: def.uuid ?? '', xml, def, persistent, autostart: false, active: false, dnsmasq: undefined, stopping: false };
}

/** Runs `fn` as the job of the network `ref` names, on its record once the lock is held. */
export async function onNetwork<T>(ctx: NetworkContext, ref: string, job: string, o: JobOpts, fn: (n: NetworkRecord) => Promise<T>): Promise<T> {
  const name = (await lookupNetwork(ctx, ref)).name;
  return ctx.job(name, job, o.wait, () => fn(ctx.networks.named(name)));
}

export async function defineNetwork(ctx: NetworkContext, text: string, o: JobOpts): Promise<{ network: NetworkInfo; created: boolean }> {
  const { def, xml } = await prepareNetworkXml(ctx, text);
  return ctx.job(def.name, 'define', o.wait, async () => {
    const existing = ctx.networks.byName(def.name);
    if (existing && existing.uuid !== def.uuid) throw ctx.networks.exists(existing);
    checkOtherNetworks(ctx, def);
    // A running network's own bridge and routes are its own.
    await checkHost(ctx, def, existing?.active === true ? existing.def.bridge?.name : undefined);
    const release = ctx.networks.reserveUuid(def.uuid ?? '', def.name);
    try {
      await ctx.deps.config.save(def.name, xml);
    } finally {
      release();
    }
    if (existing) {
      existing.xml = xml;
      // A running network keeps running as it was started; the new definition applies at its next start.
      if (!existing.active) existing.def = def;
      existing.persistent = true;
      ctx.events.emit(existing, 'defined');
      return { network: ctx.view(existing), created: false };
    }
    const rec = newRecord(def, xml, true);
    ctx.networks.add(rec);
    ctx.events.emit(rec, 'defined');
    return { network: ctx.view(rec), created: true };
  });
}

export async function createNetwork(ctx: NetworkContext, text: string, o: JobOpts): Promise<NetworkInfo> {
  const { def, xml } = await prepareNetworkXml(ctx, text);
  return ctx.job(def.name, 'create', o.wait, async () => {
    const existing = ctx.networks.byName(def.name) ?? ctx.networks.byUuid(def.uuid ?? '');
    if (existing) throw ctx.networks.exists(existing);
    const rec = newRecord(def, xml, false);
    const release = ctx.networks.reserveUuid(rec.uuid, rec.name);
    try {
      await activate(ctx, rec);
    } finally {
      release();
    }
    ctx.networks.add(rec);
    ctx.events.emit(rec, 'started');
    return ctx.view(rec);
  });
}

/** libvirt lets an active network be undefined: it runs on as a transient one. */
export function undefineNetwork(ctx: NetworkContext, ref: string, o: JobOpts): Promise<NetworkInfo> {
  return onNetwork(ctx, ref, 'undefine', o, async (n) => {
    if (!n.persistent) throw new VirtkitError('OPERATION_INVALID', `network '${n.name}' is transient: it has no definition to undefine (net-destroy stops and removes it)`, { details: { network: n.name } });
    await ctx.deps.config.delete(n.name);
    n.persistent = false;
    n.autostart = false;
    if (!n.active) ctx.networks.remove(n);
    ctx.events.emit(n, 'undefined');
    return ctx.view(n);
  });
}

export function startNetwork(ctx: NetworkContext, ref: string, o: JobOpts): Promise<NetworkInfo> {
  return onNetwork(ctx, ref, 'start', o, async (n) => {
    requireInactive(n, 'start');
    await activate(ctx, n);
    ctx.events.emit(n, 'started');
    return ctx.view(n);
  });
}

export function destroyNetwork(ctx: NetworkContext, ref: string, o: JobOpts): Promise<NetworkInfo> {
  return onNetwork(ctx, ref, 'destroy', o, async (n) => {
    if (!n.active) throw new VirtkitError('OPERATION_INVALID', `network '${n.name}' is not active`, { details: { network: n.name } });
    await deactivate(ctx, n);
    ctx.events.emit(n, 'stopped');
    return ctx.view(n);
  });
}

export function setNetworkAutostart(ctx: NetworkContext, ref: string, enabled: boolean, o: JobOpts): Promise<NetworkInfo> {
  return onNetwork(ctx, ref, 'autostart', o, async (n) => {
    if (!n.persistent) throw new VirtkitError('OPERATION_INVALID', `cannot set autostart for transient network '${n.name}'`, { details: { network: n.name } });
    await ctx.deps.config.setAutostart(n.name, enabled);
    n.autostart = enabled;
    return ctx.view(n);
  });
}
