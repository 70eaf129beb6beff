/**
 * The plan of a `<virtkit:link>` (src/core/xml/network/link-schema.ts): a veth pair whose one end
 * (dev=) is plugged into the network's bridge and whose other end goes into the peer network's
 * bridge, or into a named network namespace with its addresses and routes. Pure: the plan is a
 * list of `ip` argument arrays, which veth-link.ts runs in order and which a network's
 * `--dry-run` can print as they are. Removing the link is deleting dev= (the kernel takes the
 * peer end, and the namespace's routes through it, with it).
 */
import { VirtkitError } from '../../core/errors.js';
import type { LinkDef } from '../../core/xml/network/link-schema.js';
import { checkIfName, IFNAME_MAX_BYTES } from './link-names.js';

export type VethPeer =
  | { readonly kind: 'bridge'; readonly bridge: string }
  | { readonly kind: 'netns'; readonly netns: string; readonly addresses: readonly string[]; readonly routes: readonly { readonly to: string; readonly via: string }[] };

export interface VethLinkPlan {
  /** This end, on `bridge`. */
  readonly dev: string;
  readonly bridge: string;
  /** The other end's name (in the peer's bridge, or inside the namespace). */
  readonly peerDev: string;
  readonly peer: VethPeer;
  /** `ip` argument arrays (without the leading `ip`), in order. */
  readonly commands: readonly (readonly string[])[];
}

export interface VethLinkContext {
  /** The bridge of the network the link belongs to. */
  readonly bridge: string;
  /** The bridge of a running peer network (`<virtkit:peer network=...>`); the caller resolves it. */
  readonly peerBridge?: (network: string) => string;
  /** For messages: e.g. /network/virtkit:link[1]. */
  readonly path?: string;
}

/** The host-side name of a bridge peer's end when <virtkit:peer dev> is absent: dev= with a 'p' (within 15 bytes). */
export function defaultPeerDev(dev: string): string {
  const base = dev.length >= IFNAME_MAX_BYTES ? dev.slice(0, IFNAME_MAX_BYTES - 1) : dev;
  return `${base}${base.endsWith('p') ? 'q' : 'p'}`;
}

function missing(path: string, what: string): VirtkitError {
  return new VirtkitError('XML_MISSING', `${path}: ${what}`, { details: { path } });
}

export function planVethLink(link: LinkDef, ctx: VethLinkContext): VethLinkPlan {
  const path = ctx.path ?? '/network/virtkit:link';
  const dev = link.dev;
  if (dev === undefined) throw missing(`${path}/@dev`, "a <virtkit:link> needs dev='NAME', the name of its end on this network's bridge");
  checkIfName(dev, `${path}/@dev`);
  checkIfName(ctx.bridge, 'bridge name');
  const p = link.peer;
  if (p === undefined || (p.network === undefined) === (p.netns === undefined)) {
    throw new VirtkitError(p === undefined ? 'XML_MISSING' : 'XML_CONFLICT', `${path}/virtkit:peer: exactly one of network= or netns= says where the other end goes`,
      { details: { path: `${path}/virtkit:peer` } });
  }
  const addresses = (link.ip ?? []).map((a) => `${a.address}/${a.prefix}`);
  const routes = (link.route ?? []).map((r) => ({ to: `${r.address}/${r.prefix}`, via: r.gateway }));
  const up = (name: string, ns: string[] = []): string[] => [...ns, 'link', 'set', 'dev', name, 'up'];
  if (p.network !== undefined) {
    if (addresses.length > 0 || routes.length > 0) {
      throw new VirtkitError('XML_CONFLICT', `${path}/virtkit:ip: addresses and routes belong to a namespace end; network '${p.network}' has its own`, { details: { path: `${path}/virtkit:ip` } });
    }
    if (ctx.peerBridge === undefined) throw missing(`${path}/virtkit:peer/@network`, `no bridge is known for network '${p.network}'`);
    const peerBridge = ctx.peerBridge(p.network);
    const peerDev = p.dev ?? defaultPeerDev(dev);
    checkIfName(peerDev, `${path}/virtkit:peer/@dev`);
    checkIfName(peerBridge, 'bridge name');
    if (peerDev === dev) throw new VirtkitError('XML_CONFLICT', `${path}/virtkit:peer/@dev: both ends are named '${dev}'`, { details: { path: `${path}/virtkit:peer/@dev` } });
    return {
      dev, bridge: ctx.bridge, peerDev, peer: { kind: 'bridge', bridge: peerBridge },
      commands: [
        ['link', 'add', 'name', dev, 'type', 'veth', 'peer', 'name', peerDev],
        ['link', 'set', 'dev', dev, 'master', ctx.bridge],
        ['link', 'set', 'dev', peerDev, 'master', peerBridge],
        up(peerDev), up(dev),
      ],
    };
  }
  const netns = p.netns as string;
  checkIfName(netns, `${path}/virtkit:peer/@netns`);
  // The namespace end is made there directly: its name cannot clash with a host link.
  const peerDev = p.dev ?? dev;
  checkIfName(peerDev, `${path}/virtkit:peer/@dev`);
  const ns = ['-n', netns];
  return {
    dev, bridge: ctx.bridge, peerDev, peer: { kind: 'netns', netns, addresses, routes },
    commands: [
      ['link', 'add', 'name', dev, 'type', 'veth', 'peer', 'name', peerDev, 'netns', netns],
      ['link', 'set', 'dev', dev, 'master', ctx.bridge],
      ...addresses.map((a) => [...ns, 'addr', 'add', a, 'dev', peerDev]),
      up(peerDev, ns),
      ...routes.map((r) => [...ns, 'route', 'add', r.to, 'via', r.via, 'dev', peerDev]),
      up(dev),
    ],
  };
}

/** The `ip` argument arrays that remove the link: deleting this end takes the peer end (and its routes) too. */
export function vethLinkRemoval(plan: Pick<VethLinkPlan, 'dev'>): string[][] {
  return [['link', 'del', 'dev', plan.dev]];
}
