/**
 * What starting a network does on the host, as one plan (pure): the iproute2 commands that make
 * its bridge (name, MAC, MTU, STP and forward delay from the XML), give it its addresses and bring
 * it up; the dnsmasq configuration and host files (dnsmasqConfig) and dnsmasq's argv; the nft
 * ruleset of its firewall (firewallPlan). The daemon carries the plan out step by step and undoes
 * it backwards on failure; `net-start --dry-run` prints it. Only networks virtkit runs on a bridge
 * of its own (isolated, nat, route, open) have a plan.
 */
import { VirtkitError } from '../errors.js';
import { formatIp } from '../xml/network/address.js';
import { hasDhcp, resolveIp } from '../xml/network/ipdef.js';
import type { LinkDef } from '../xml/network/link-schema.js';
import type { NetworkDef } from '../xml/network/schema.js';
import { forwardMode, managesBridge } from '../xml/network/validate.js';
import { dnsmasqConfig, dnsmasqPaths } from './dnsmasq.js';
import { firewallPlan } from './firewall.js';
import type { FirewallNetwork } from './firewall-model.js';

export interface NetworkStartEnv {
  /** The directory of the network's dnsmasq files (conf, pid, leases, hostsfile, addnhosts). */
  readonly stateDir: string;
  /** `dnsmasq --version`'s number. */
  readonly dnsmasqVersion: string;
  /** The dnsmasq program (default 'dnsmasq'). */
  readonly dnsmasqBin?: string;
  /**
   * The `ip` argument arrays (without 'ip') that make `<virtkit:link>` number `index` on `bridge`
   * (the daemon plans them: src/host/net/veth-link-plan.ts); null when the link waits for its
   * peer network to start (it is made then). Without it a network with links has no plan.
   */
  readonly linkCommands?: (link: LinkDef, index: number, bridge: string) => readonly (readonly string[])[] | null;
}

export interface NetworkFiles {
  readonly confFile: string;
  readonly pidFile: string;
  readonly leaseFile: string;
  readonly hostsFile: string;
  readonly addnHostsFile: string;
}

export interface NetworkStartPlan {
  readonly network: string;
  readonly bridge: string;
  /**
   * The commands, in order, as argv arrays: iproute2 ('ip ...') for the bridge, then for a network
   * that forwards `sysctl -w net.ipv4.ip_forward=1` (and IPv6's), which the daemon writes to /proc/sys,
   * then the 'ip ...' commands of its `<virtkit:link>`s (those whose peer is ready).
   */
  readonly commands: readonly (readonly string[])[];
  /** The host ends (dev=) of the veth links the commands make, after the bridge is up. */
  readonly links: readonly string[];
  /** What removes the bridge (taking its addresses with it); the links are removed by their dev= (`links`). */
  readonly undoCommands: readonly (readonly string[])[];
  /** The network's firewall: its model (null for 'open') and its ruleset as nft text ('' for none). */
  readonly firewall: FirewallNetwork | null;
  readonly nftRuleset: string;
  /** The dnsmasq configuration file's text, exactly as written. */
  readonly dnsmasqConf: string;
  /** The dhcp-hostsfile's text; null when the network serves no DHCP. */
  readonly hostsFile: string | null;
  /** The addn-hosts file's text; null when DNS is off. */
  readonly addnHosts: string | null;
  /** How dnsmasq is started (in the foreground: the daemon supervises it). */
  readonly dnsmasqArgv: readonly string[];
  readonly files: NetworkFiles;
}

/** The firewall's view of a network (null when it has no rules: 'open'). */
export function firewallNetworkOf(def: NetworkDef, bridge: string): FirewallNetwork | null {
  const mode = forwardMode(def);
  if (mode === 'open') return null;
  const fwMode = mode === undefined ? 'isolated' : mode === 'nat' || mode === 'route' ? mode : undefined;
  if (fwMode === undefined) return null;
  const subnets = (fam: 'ipv4' | 'ipv6') => (def.ip ?? []).flatMap((ip) => {
    const r = resolveIp(ip);
    return r !== undefined && r.family === fam ? [{ address: formatIp(r.addr), prefix: r.prefix }] : [];
  });
  const nat = def.forward?.nat;
  const tftp = (def.ip ?? []).some((ip) => ip.tftp !== undefined);
  return {
    name: def.name, mode: fwMode, bridge, ipv4: subnets('ipv4'), ipv6: subnets('ipv6'),
    ...(def.forward?.dev === undefined ? {} : { forwardDev: def.forward.dev }),
    ...(nat === undefined ? {} : {
      nat: {
        ...(nat.address ? { addressStart: nat.address.start, addressEnd: nat.address.end } : {}),
        ...(nat.port ? { portStart: nat.port.start, portEnd: nat.port.end } : {}),
      },
    }),
    ...(tftp ? { tftp: true } : {}),
  };
}

/** The plan of starting `def` (prepared and valid: it has its bridge name and MAC). */
export function networkStartPlan(def: NetworkDef, env: NetworkStartEnv): NetworkStartPlan {
  const mode = forwardMode(def);
  if (!managesBridge(mode)) {
    throw new VirtkitError('OPERATION_INVALID', `network '${def.name}' in forward mode '${String(mode)}' uses a bridge virtkit does not manage: starting it makes nothing on the host`, {
      details: { network: def.name },
    });
  }
  const bridge = def.bridge?.name;
  if (bridge === undefined) {
    throw new VirtkitError('XML_MISSING', `/network/bridge/@name: network '${def.name}' has no bridge name; define it first (the daemon picks virbrN)`, {
      details: { path: '/network/bridge/@name', network: def.name },
    });
  }
  const linkDefs = def.link ?? [];
  if (linkDefs.length > 0 && env.linkCommands === undefined) {
    // Never silently dropped: a plan that would leave the described links out is refused.
    throw new VirtkitError('XML_UNSUPPORTED', `/network/virtkit:link: network '${def.name}' describes veth links, and nothing plans them here`, {
      details: { path: '/network/virtkit:link', network: def.name },
    });
  }
  const links = linkDefs.flatMap((l, i) => {
    const cmds = env.linkCommands?.(l, i, bridge) ?? null;
    return cmds === null ? [] : [{ dev: l.dev ?? '', commands: cmds.map((c) => ['ip', ...c]) }];
  });
  const b = def.bridge ?? {};
  const add = ['ip', 'link', 'add', 'name', bridge,
    ...(def.mtu === undefined ? [] : ['mtu', String(def.mtu.size)]),
    ...(def.mac === undefined ? [] : ['address', def.mac.address]),
    'type', 'bridge', 'stp_state', b.stp === false ? '0' : '1', 'forward_delay', String((b.delay ?? 0) * 100)];
  const addrs = (def.ip ?? []).flatMap((ip) => {
    const r = resolveIp(ip);
    return r === undefined ? [] : [['ip', 'addr', 'add', `${formatIp(r.addr)}/${r.prefix}`, 'dev', bridge]];
  });
  // As libvirt: a network that forwards turns the host's forwarding on, and never off again.
  const forwards = mode === 'nat' || mode === 'route' || mode === 'open';
  const families = new Set((def.ip ?? []).flatMap((ip) => resolveIp(ip)?.family ?? []));
  const sysctls = forwards ? [
    ...(families.has('ipv4') ? [['sysctl', '-w', 'net.ipv4.ip_forward=1']] : []),
    ...(families.has('ipv6') ? [['sysctl', '-w', 'net.ipv6.conf.all.forwarding=1']] : []),
  ] : [];
  const paths = dnsmasqPaths(env.stateDir, def.name);
  const dnsmasq = dnsmasqConfig(def, paths, { version: env.dnsmasqVersion });
  const firewall = firewallNetworkOf(def, bridge);
  return {
    network: def.name, bridge,
    commands: [add, ...addrs, ['ip', 'link', 'set', 'dev', bridge, 'up'], ...sysctls, ...links.flatMap((l) => l.commands)],
    links: links.map((l) => l.dev),
    undoCommands: [['ip', 'link', 'del', 'dev', bridge]],
    firewall,
    nftRuleset: firewall === null ? '' : firewallPlan(firewall).ruleset,
    dnsmasqConf: dnsmasq.conf, hostsFile: dnsmasq.hostsFile, addnHosts: dnsmasq.addnHosts,
    dnsmasqArgv: [env.dnsmasqBin ?? 'dnsmasq', '--keep-in-foreground', `--conf-file=${paths.confFile}`],
    files: paths,
  };
}

/** Whether the network serves DHCP (it then has a lease file). */
export function servesDhcp(def: NetworkDef): boolean {
  return (def.ip ?? []).some(hasDhcp);
}
