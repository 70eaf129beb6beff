/**
 * The `<virtkit:link>`s of networks (veth pairs, src/host/net/veth-link-plan.ts) in the daemon.
 * A link exists while both its ends can: one to a namespace is made when its network starts; one
 * to a peer network is made when the later of the two starts (by either side), and removed when
 * either stops. Its network's destroy, and reconcile of a network that is gone, remove it by its
 * dev= (a no-op when the peer's side took it already).
 */
import type { LinkDef, NetworkDef } from '../../core/xml/network/index.js';
import { applyVethLink, planVethLink, removeVethLink } from '../../host/net/veth-link.js';
import type { NetworkContext } from './context.js';
import type { NetworkRecord } from './records.js';

const pathOf = (def: NetworkDef, i: number): string => `/network/virtkit:link${(def.link ?? []).length > 1 ? `[${i + 1}]` : ''}`;

/** The bridge of a running network, or undefined. */
function runningBridge(ctx: NetworkContext, name: string): string | undefined {
  const m = ctx.networks.byName(name);
  return m?.active === true ? m.def.bridge?.name : undefined;
}

/** For the start plan: the `ip` commands of link `i` of `def`, or null while its peer network is not running. */
export function linkCommandsFor(ctx: NetworkContext, def: NetworkDef) {
  return (link: LinkDef, i: number, bridge: string): readonly (readonly string[])[] | null => {
    const peerNet = link.peer?.network;
    if (peerNet !== undefined && runningBridge(ctx, peerNet) === undefined) return null;
    return planVethLink(link, { bridge, peerBridge: (n) => runningBridge(ctx, n) ?? '', path: pathOf(def, i) }).commands;
  };
}

/** The host ends of all links `def` describes (made or not). */
export function linkDevsOf(def: NetworkDef): string[] {
  return (def.link ?? []).flatMap((l) => (l.dev === undefined ? [] : [l.dev]));
}

/** The links of other running networks whose peer is `n`. */
function linksTo(ctx: NetworkContext, n: NetworkRecord): { from: NetworkRecord; link: LinkDef; index: number }[] {
  return ctx.networks.all().filter((m) => m !== n && m.active).flatMap((m) =>
    (m.def.link ?? []).flatMap((link, index) => (link.peer?.network === n.name ? [{ from: m, link, index }] : [])));
}

/** After `n` started: makes the links of running networks that waited for it. A failure is logged, not thrown. */
export async function attachWaitingLinks(ctx: NetworkContext, n: NetworkRecord): Promise<void> {
  for (const { from, link, index } of linksTo(ctx, n)) {
    const bridge = from.def.bridge?.name;
    if (bridge === undefined) continue;
    try {
      await applyVethLink(planVethLink(link, { bridge, peerBridge: (p) => runningBridge(ctx, p) ?? '', path: pathOf(from.def, index) }), ctx.deps.ip);
    } catch (e) {
      ctx.deps.log.error(`network '${from.name}': cannot make its link ${String(link.dev)} to network '${n.name}': ${(e as Error).message}`);
    }
  }
}

/** Before `n` stops: removes the links of running networks that end on its bridge (they wait for its next start). */
export async function detachPeerLinks(ctx: NetworkContext, n: NetworkRecord): Promise<void> {
  for (const { from, link } of linksTo(ctx, n)) {
    if (link.dev === undefined) continue;
    await removeVethLink(link.dev, ctx.deps.ip).catch((e: unknown) =>
      ctx.deps.log.error(`network '${from.name}': cannot remove its link ${String(link.dev)}: ${(e as Error).message}`));
  }
}

/** Removes links by their host end; what is gone (or is no veth) is skipped. */
export async function removeLinks(ctx: NetworkContext, devs: readonly string[]): Promise<void> {
  for (const dev of devs) await removeVethLink(dev, ctx.deps.ip);
}
