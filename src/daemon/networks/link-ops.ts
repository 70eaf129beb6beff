/**
 * net-link / net-unlink: join a network to another one with a veth pair without editing XML. The
 * link is a `<virtkit:link dev=...><virtkit:peer network=.../></virtkit:link>` added to (removed
 * from) the network's stored definition (so a restart keeps it) and its running one; it is made
 * (removed) on the host at once when both networks run, else when the later one starts
 * (net-links.ts). Refused, with nothing changed: a peer that is no network, the network itself,
 * a second link to the same peer, a dev= another link uses or the kernel refuses.
 */
import { createHash } from 'node:crypto';
import { VirtkitError } from '../../core/errors.js';
import { VIRTKIT_NETWORK_XMLNS, validateNetwork, type LinkDef, type NetworkDef } from '../../core/xml/network/index.js';
import { applyVethLink, planVethLink, removeVethLink } from '../../host/net/veth-link.js';
import type { NetworkContext } from './context.js';
import { recordRunning, type JobOpts } from './lifecycle.js';
import { networkXml, parseStoredNetwork } from './network-xml.js';
import { onNetwork } from './network-ops.js';
import { lookupNetwork } from './queries.js';
import type { NetworkInfo, NetworkRecord } from './records.js';

/** The default host end of a link from `network` to `peer`: 'vkl' and 8 hex digits of both names. */
export function defaultLinkDev(network: string, peer: string): string {
  return `vkl${createHash('sha256').update(`${network}\0${peer}`).digest('hex').slice(0, 8)}`;
}

const withLink = (def: NetworkDef, link: LinkDef): NetworkDef => ({ ...def, link: [...(def.link ?? []), link] });
const withoutLink = (def: NetworkDef, dev: string): NetworkDef => {
  const rest = (def.link ?? []).filter((l) => l.dev !== dev);
  const { link: _drop, ...others } = def;
  return rest.length > 0 ? { ...others, link: rest } : others;
};

function checkFree(ctx: NetworkContext, n: NetworkRecord, peer: string, dev: string): void {
  for (const l of [...(n.def.link ?? []), ...(n.persistent ? parseStoredNetwork(n.xml).link ?? [] : [])]) {
    if (l.peer?.network === peer) {
      throw new VirtkitError('OPERATION_INVALID', `network '${n.name}' is linked to network '${peer}' already (link ${String(l.dev)})`, { details: { network: n.name, peer, dev: l.dev } });
    }
  }
  for (const m of ctx.networks.all()) {
    for (const l of [...(m.def.link ?? []), ...(m.persistent ? parseStoredNetwork(m.xml).link ?? [] : [])]) {
      if (l.dev === dev || l.peer?.dev === dev) {
        throw new VirtkitError('IFACE_EXISTS', `link name '${dev}' is used by a link of network '${m.name}'; choose another (--dev)`, { details: { network: m.name, dev } });
      }
    }
  }
}

export async function linkNetworks(ctx: NetworkContext, ref: string, peerRef: string, devOpt: string | undefined, o: JobOpts): Promise<NetworkInfo> {
  const peer = (await lookupNetwork(ctx, peerRef)).name;
  return onNetwork(ctx, ref, 'link', o, async (n) => {
    if (peer === n.name) throw new VirtkitError('OPERATION_INVALID', `network '${n.name}' cannot be linked to itself`, { details: { network: n.name } });
    const dev = devOpt ?? defaultLinkDev(n.name, peer);
    checkFree(ctx, n, peer, dev);
    const link: LinkDef = { dev, xmlns: VIRTKIT_NETWORK_XMLNS, peer: { network: peer } };
    const live = n.active ? withLink(n.def, link) : undefined;
    const stored = n.persistent ? withLink(parseStoredNetwork(n.xml), link) : undefined;
    for (const d of [live, stored]) if (d) validateNetwork(d);
    const p = ctx.networks.byName(peer);
    // Planned (names checked) before anything changes.
    const plan = live && p?.active === true && n.def.bridge?.name !== undefined && p.def.bridge?.name !== undefined
      ? planVethLink(link, { bridge: n.def.bridge.name, peerBridge: () => p.def.bridge?.name ?? '' }) : undefined;
    if (plan) await applyVethLink(plan, ctx.deps.ip);
    try {
      if (stored) {
        const xml = networkXml(stored);
        await ctx.deps.config.save(n.name, xml);
        n.xml = xml;
        if (!n.active) n.def = stored;
      }
      if (live) {
        n.def = live;
        await recordRunning(ctx, n);
      }
    } catch (e) {
      if (plan) await removeVethLink(dev, ctx.deps.ip).catch(() => undefined);
      throw e;
    }
    return ctx.view(n);
  });
}

export async function unlinkNetworks(ctx: NetworkContext, ref: string, dev: string, o: JobOpts): Promise<NetworkInfo> {
  return onNetwork(ctx, ref, 'unlink', o, async (n) => {
    const stored = n.persistent ? parseStoredNetwork(n.xml) : undefined;
    const has = (d: NetworkDef | undefined): boolean => (d?.link ?? []).some((l) => l.dev === dev);
    if (!has(n.def) && !has(stored)) {
      throw new VirtkitError('NOT_FOUND', `network '${n.name}' has no link '${dev}'`, { details: { network: n.name, dev } });
    }
    if (n.active && has(n.def)) await removeVethLink(dev, ctx.deps.ip);
    if (stored && has(stored)) {
      const def = withoutLink(stored, dev);
      const xml = networkXml(def);
      await ctx.deps.config.save(n.name, xml);
      n.xml = xml;
      if (!n.active) n.def = def;
    }
    if (n.active) {
      n.def = withoutLink(n.def, dev);
      await recordRunning(ctx, n);
    }
    return ctx.view(n);
  });
}
