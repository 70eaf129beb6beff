/**
 * The network part of the engine's one typed action list (engine/actions.ts merges it).
 * Queries never wait.
 */
import type { NetworkUpdate } from '../../core/network/update.js';
import type { EngineContext } from '../engine/context.js';
import { createNetwork, defineNetwork, destroyNetwork, setNetworkAutostart, startNetwork, undefineNetwork } from './network-ops.js';
import { dryRunStart, getNetwork, getNetworkXml, listNetworks, networkLeases, type NetworkDryRun, type NetworkFilter } from './queries.js';
import type { NetworkInfo, NetworkLease } from './records.js';
import { updateNetwork } from './update-ops.js';
import { linkNetworks, unlinkNetworks } from './link-ops.js';
import { domainIfAddr, type DomainIfAddr } from './domifaddr.js';

type Net = { readonly network: string };
type Opts = { readonly wait?: number };

export type NetworkAction =
  | { readonly kind: 'netList'; readonly filter: NetworkFilter }
  | ({ readonly kind: 'netGet' } & Net)
  | ({ readonly kind: 'netXml'; readonly inactive?: boolean } & Net)
  | { readonly kind: 'netDefine'; readonly xml: string }
  | { readonly kind: 'netCreate'; readonly xml: string }
  | ({ readonly kind: 'netUndefine' } & Net)
  | ({ readonly kind: 'netStart' } & Net)
  | ({ readonly kind: 'netStartDryRun' } & Net)
  | ({ readonly kind: 'netDestroy' } & Net)
  | ({ readonly kind: 'netAutostart'; readonly enabled: boolean } & Net)
  | ({ readonly kind: 'netUpdate'; readonly update: NetworkUpdate; readonly live?: boolean; readonly config?: boolean } & Net)
  | ({ readonly kind: 'netLeases'; readonly mac?: string } & Net)
  | ({ readonly kind: 'netLink'; readonly peer: string; readonly dev?: string } & Net)
  | ({ readonly kind: 'netUnlink'; readonly dev: string } & Net)
  | { readonly kind: 'domIfAddr'; readonly name: string; readonly iface?: string; readonly source?: string };

export interface NetworkResults {
  netList: NetworkInfo[];
  netGet: NetworkInfo;
  netXml: string;
  netDefine: { readonly network: NetworkInfo; readonly created: boolean };
  netCreate: NetworkInfo;
  netUndefine: NetworkInfo;
  netStart: NetworkInfo;
  netStartDryRun: NetworkDryRun;
  netDestroy: NetworkInfo;
  netAutostart: NetworkInfo;
  netUpdate: NetworkInfo;
  netLeases: NetworkLease[];
  netLink: NetworkInfo;
  netUnlink: NetworkInfo;
  domIfAddr: DomainIfAddr[];
}

type Of<K extends NetworkAction['kind']> = Extract<NetworkAction, { kind: K }>;
type Handler<K extends NetworkAction['kind']> = (ctx: EngineContext, a: Of<K>, o: Opts) => Promise<NetworkResults[K]>;

export const networkHandlers: { readonly [K in NetworkAction['kind']]: Handler<K> } = {
  netList: async (ctx, a) => listNetworks(ctx.networks, a.filter),
  netGet: (ctx, a) => getNetwork(ctx.networks, a.network),
  netXml: (ctx, a) => getNetworkXml(ctx.networks, a.network, a.inactive === true),
  netDefine: (ctx, a, o) => defineNetwork(ctx.networks, a.xml, o),
  netCreate: (ctx, a, o) => createNetwork(ctx.networks, a.xml, o),
  netUndefine: (ctx, a, o) => undefineNetwork(ctx.networks, a.network, o),
  netStart: (ctx, a, o) => startNetwork(ctx.networks, a.network, o),
  netStartDryRun: (ctx, a) => dryRunStart(ctx.networks, a.network),
  netDestroy: (ctx, a, o) => destroyNetwork(ctx.networks, a.network, o),
  netAutostart: (ctx, a, o) => setNetworkAutostart(ctx.networks, a.network, a.enabled, o),
  netUpdate: (ctx, a, o) => updateNetwork(ctx.networks, a.network, a.update, { ...(a.live === undefined ? {} : { live: a.live }), ...(a.config === undefined ? {} : { config: a.config }) }, o),
  netLeases: (ctx, a) => networkLeases(ctx.networks, a.network, a.mac),
  netLink: (ctx, a, o) => linkNetworks(ctx.networks, a.network, a.peer, a.dev, o),
  netUnlink: (ctx, a, o) => unlinkNetworks(ctx.networks, a.network, a.dev, o),
  domIfAddr: (ctx, a) => domainIfAddr(ctx, a.name, { ...(a.iface === undefined ? {} : { iface: a.iface }), ...(a.source === undefined ? {} : { source: a.source }) }),
};
