/**
 * The network daemon's door to the network XML model (src/core/xml/network): parse ->
 * defaults -> bridge name -> validate -> format, and the checks against the other networks and
 * the host (routes, links) that a definition and a start must pass.
 */
import { randomBytes } from 'node:crypto';
import {
  forwardMode, formatNetworkXml, managesBridge, nextFreeBridgeName, otherNetworkProblems, parseNetworkXml, prepareNetwork,
  subnetOverlapProblems, validateNetwork, type NetworkDef,
} from '../../core/xml/network/index.js';
import { hostRouteOwners } from '../../core/network/host-routes.js';
import { procLinkNames, procRouteTables } from '../../host/net/proc-net.js';
import { VirtkitError } from '../../core/errors.js';
import type { NetworkContext } from './context.js';

const random = { random: (n: number) => randomBytes(n) };

/** The names of the host's links: from /proc when `ip` is the host's own (no process), else from `ip`. */
export async function hostLinkNames(ctx: NetworkContext): Promise<Set<string>> {
  if (ctx.onHost) return procLinkNames();
  return new Set((JSON.parse(await ctx.deps.ip(['-j', 'link', 'show'])) as { ifname: string }[]).map((l) => l.ifname));
}

/** A definition from XML, with libvirt's defaults, a free virbrN when it names no bridge, checked. */
export async function prepareNetworkXml(ctx: NetworkContext, text: string): Promise<{ def: NetworkDef; xml: string }> {
  const parsed = parseNetworkXml(text);
  const existing = ctx.networks.byName(parsed.name);
  if (parsed.uuid === undefined && existing !== undefined) parsed.uuid = existing.uuid;
  const others = ctx.networks.all().filter((n) => n.name !== parsed.name);
  const macs = new Set(others.flatMap((n) => (n.def.mac ? [n.def.mac.address] : [])));
  const def = prepareNetwork(parsed, { ...random, macsInUse: macs });
  if (managesBridge(forwardMode(def)) && def.bridge?.name === undefined) {
    const inUse = new Set([...others.flatMap((n) => (n.def.bridge?.name ? [n.def.bridge.name] : [])), ...(await hostLinkNames(ctx))]);
    // A redefinition keeps the bridge its network has.
    (def.bridge ??= {}).name = existing?.def.bridge?.name ?? nextFreeBridgeName(inUse);
  }
  validateNetwork(def);
  return { def, xml: formatNetworkXml(def) };
}

export function parseStoredNetwork(text: string): NetworkDef {
  return parseNetworkXml(text);
}

export function networkXml(def: NetworkDef): string {
  return formatNetworkXml(def);
}

/** Refuses what `def` would share with another network (bridge, MAC, subnet): the first problem. */
export function checkOtherNetworks(ctx: NetworkContext, def: NetworkDef): void {
  const [first] = otherNetworkProblems(def, ctx.networks.all().filter((n) => n.name !== def.name).map((n) => n.def));
  if (first) throw first;
}

/**
 * Refuses a subnet that overlaps a route of the host, and a bridge name a host link has that is
 * not this network's own running bridge (`ownBridge`).
 */
export async function checkHost(ctx: NetworkContext, def: NetworkDef, ownBridge: string | undefined): Promise<void> {
  if (!managesBridge(forwardMode(def))) return;
  const own = new Set(ownBridge === undefined ? [] : [ownBridge]);
  const br = def.bridge?.name;
  // The routes and links from /proc when `ip` is the host's own (no process: net-start's time was
  // mostly `ip` processes), else the three `ip` queries at once.
  const tables: Promise<{ readonly v4: unknown; readonly v6: unknown }> = ctx.onHost
    ? procRouteTables()
    : Promise.all([ctx.deps.ip(['-j', 'route', 'show']), ctx.deps.ip(['-6', '-j', 'route', 'show'])]).then(([v4, v6]) => ({ v4: JSON.parse(v4), v6: JSON.parse(v6) }));
  const [{ v4, v6 }, links] = await Promise.all([tables, br !== undefined && br !== ownBridge ? hostLinkNames(ctx) : Promise.resolve(new Set<string>())]);
  const routes = [...hostRouteOwners(v4, own), ...hostRouteOwners(v6, own)];
  const [overlap] = subnetOverlapProblems(def, routes);
  if (overlap) throw overlap;
  if (br !== undefined && br !== ownBridge && links.has(br)) {
    throw new VirtkitError('IFACE_EXISTS', `/network/bridge/@name: a network interface named '${br}' exists already on this host; ` +
      'virtkit makes the bridge of a network itself: choose another name or leave it out (virtkit picks a free virbrN)', {
      details: { path: '/network/bridge/@name', bridge: br },
    });
  }
}
