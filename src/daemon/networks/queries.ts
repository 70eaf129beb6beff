/**
 * Network queries (they never wait for a job), the dry run of a start, DHCP leases, the
 * resolver domain interfaces use, and the `default` network, defined on first use.
 */
import { readFile } from 'node:fs/promises';
import type { OvsVlan } from '../../host/net/ovs.js';
import { VirtkitError } from '../../core/errors.js';
import { parseDnsmasqLeases } from '../../core/network/dnsmasq-leases.js';
import { dnsmasqPaths } from '../../core/network/dnsmasq.js';
import { formatIp, inSubnet, parseIp, resolveIp } from '../../core/xml/network/index.js';
import type { NetworkContext } from './context.js';
import { planFor } from './lifecycle.js';
import { networkXml } from './network-xml.js';
import { ensureDefaultNetwork, DEFAULT_NETWORK } from './default-network.js';
import type { NetworkInfo, NetworkLease, NetworkRecord } from './records.js';

export interface NetworkFilter {
  readonly active?: boolean;
  readonly persistent?: boolean;
  readonly autostart?: boolean;
}

/** The network `ref` names (a name or UUID); `default` is defined on first use. */
export async function lookupNetwork(ctx: NetworkContext, ref: string): Promise<NetworkRecord> {
  if (ref === DEFAULT_NETWORK && !ctx.networks.find(ref)) await ensureDefaultNetwork(ctx);
  return ctx.networks.resolve(ref);
}

export function listNetworks(ctx: NetworkContext, f: NetworkFilter): NetworkInfo[] {
  return ctx.networks.all()
    .filter((n) => f.active === undefined || n.active === f.active)
    .filter((n) => f.persistent === undefined || n.persistent === f.persistent)
    .filter((n) => f.autostart === undefined || n.autostart === f.autostart)
    .map((n) => ctx.view(n))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function getNetwork(ctx: NetworkContext, ref: string): Promise<NetworkInfo> {
  return ctx.view(await lookupNetwork(ctx, ref));
}

/** The running definition while active (live changes included), else (or with `inactive`) the persistent one. */
export async function getNetworkXml(ctx: NetworkContext, ref: string, inactive: boolean): Promise<string> {
  const n = await lookupNetwork(ctx, ref);
  return inactive || !n.active ? n.xml : networkXml(n.def);
}

export interface NetworkDryRun {
  readonly network: string;
  readonly bridge: string;
  readonly commands: string[][];
  readonly nftRuleset: string;
  readonly dnsmasqConf: string;
  readonly hostsFile: string | null;
  readonly addnHosts: string | null;
  readonly dnsmasqArgv: string[];
  readonly files: Record<string, string>;
}

/** What net-start would do, without doing it. */
export async function dryRunStart(ctx: NetworkContext, ref: string): Promise<NetworkDryRun> {
  const n = await lookupNetwork(ctx, ref);
  const p = await planFor(ctx, n.def);
  return {
    network: p.network, bridge: p.bridge, commands: p.commands.map((c) => [...c]), nftRuleset: p.nftRuleset, dnsmasqConf: p.dnsmasqConf,
    hostsFile: p.hostsFile, addnHosts: p.addnHosts, dnsmasqArgv: [...p.dnsmasqArgv], files: { ...p.files },
  };
}

/** The leases in the network's lease file (of one MAC when given), as net-dhcp-leases lists them. */
export async function networkLeases(ctx: NetworkContext, ref: string, mac?: string): Promise<NetworkLease[]> {
  const n = await lookupNetwork(ctx, ref);
  if (!n.active) throw new VirtkitError('OPERATION_INVALID', `network '${n.name}' is not active`, { details: { network: n.name } });
  const text = await readFile(dnsmasqPaths(ctx.deps.stateDir, n.name).leaseFile, 'utf8').catch(() => '');
  const subnets = (n.def.ip ?? []).flatMap((ip) => resolveIp(ip) ?? []);
  const want = mac?.toLowerCase();
  return parseDnsmasqLeases(text).leases
    .filter((l) => want === undefined || l.mac?.toLowerCase() === want)
    .map((l) => {
      const a = parseIp(l.ip);
      const s = subnets.find((r) => a !== undefined && inSubnet(a, r.subnet));
      return {
        network: n.name, bridge: n.def.bridge?.name ?? '', expiresAt: l.expiresAt, mac: l.mac ?? null, family: l.family,
        ip: a === undefined ? l.ip : formatIp(a), prefix: s?.prefix ?? (l.family === 'ipv4' ? 24 : 64), hostname: l.hostname ?? null, clientId: l.clientId ?? null,
        iaid: l.iaid ?? null,
      };
    });
}

/**
 * For a domain interface of type network: the bridge of the running network `name`; for an Open
 * vSwitch network (<virtualport type='openvswitch'/>) also the VLAN of the interface's portgroup
 * (else the default portgroup's, else the network's own <vlan>), which its tap port gets unless
 * the interface has a <vlan> of its own.
 */
export async function resolveNetworkBridge(ctx: NetworkContext, name: string, portgroup?: string): Promise<{ bridge: string; ovs?: { vlan?: OvsVlan } }> {
  const n = await lookupNetwork(ctx, name);
  if (!n.active) {
    throw new VirtkitError('NETWORK_INACTIVE', `network '${n.name}' is not active; start it first (virtkit net-start ${n.name})`, { details: { network: n.name } });
  }
  const bridge = n.def.bridge?.name;
  if (bridge === undefined) {
    throw new VirtkitError('OPERATION_INVALID', `network '${n.name}' has no bridge of its own (forward mode ${n.def.forward?.mode ?? 'none'})`, { details: { network: n.name } });
  }
  const groups = n.def.portgroup ?? [];
  const pg = portgroup === undefined ? groups.find((g) => g.default === true) : groups.find((g) => g.name === portgroup);
  if (portgroup !== undefined && pg === undefined) {
    throw new VirtkitError('XML_INVALID_VALUE', `/interface/source/@portgroup: network '${n.name}' has no portgroup '${portgroup}'`, {
      details: { network: n.name, portgroup, path: '/interface/source/@portgroup' },
    });
  }
  if (n.def.virtualport?.type !== 'openvswitch') return { bridge };
  const v = pg?.vlan ?? n.def.vlan;
  const tags = v?.tag ?? [];
  const native = tags.find((t) => t.nativeMode !== undefined);
  const vlan: OvsVlan | undefined = tags.length === 0 ? undefined : {
    tags: tags.map((t) => t.id), trunk: v?.trunk === true || tags.length > 1,
    ...(native?.nativeMode === undefined ? {} : { native: { tag: native.id, mode: native.nativeMode } }),
  };
  return { bridge, ovs: vlan === undefined ? {} : { vlan } };
}
