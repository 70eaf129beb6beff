/**
 * Networks of forward mode 'bridge' on a Linux bridge of the host (`<forward mode='bridge'/>
 * <bridge name='br0'/>`): the bridge is the admin's, so starting the network only checks that
 * it exists and is a bridge (no bridge made, no dnsmasq, no firewall, no veth links); its
 * interfaces' taps go into it. Destroy, and reconcile after a crash, never touch the host: they
 * only drop the record. With `<virtualport type='openvswitch'/>` the bridge is an Open vSwitch
 * bridge: not checked here (the taps' side checks it in OVS's database when it plugs a port), and
 * the resolver gives taps their portgroup's VLAN (queries.ts). Other virtualports, portgroup
 * virtualports and macvtap-style (`<forward dev>`, `<interface>`) bridge networks are refused.
 */
import { VirtkitError } from '../../core/errors.js';
import { forwardMode, type NetworkDef } from '../../core/xml/network/index.js';
import type { NetworkContext } from './context.js';

/** Whether `def` is a network on a host Linux bridge (forward mode 'bridge' with a bridge name). */
export function onHostBridge(def: NetworkDef): boolean {
  return forwardMode(def) === 'bridge' && def.bridge?.name !== undefined;
}

/**
 * A <forward mode='hostdev'> network is a pool of SR-IOV VFs: starting it makes nothing on the
 * host (no bridge); a domain interface on it takes a VF at the domain's start
 * (daemon/nodedev/network-vfs.ts). Recorded with an empty bridge name.
 */
export function isVfPool(def: NetworkDef): boolean {
  return forwardMode(def) === 'hostdev';
}

/** Refuses what virtkit does not start yet; checks that the host bridge is there. Returns its name. */
export async function checkHostBridge(ctx: NetworkContext, def: NetworkDef): Promise<string> {
  const bridge = def.bridge?.name ?? '';
  const refuse = (path: string, what: string): never => {
    throw new VirtkitError('XML_UNSUPPORTED', `${path}: network '${def.name}': ${what} is not started by virtkit yet`, { details: { path, network: def.name } });
  };
  const vp = def.virtualport?.type;
  if ((vp !== undefined && vp !== 'openvswitch') || (def.portgroup ?? []).some((p) => p.virtualport !== undefined)) {
    refuse('/network/virtualport', `a bridge network with a ${vp ?? 'portgroup'} virtualport`);
  }
  if (def.link !== undefined && def.link.length > 0) refuse('/network/virtkit:link', "a veth link on a bridge that is not virtkit's");
  // An Open vSwitch bridge is in OVS's database, which the tap side asks (BRIDGE_NOT_FOUND when an interface is plugged).
  if (vp === 'openvswitch') return bridge;
  const links = JSON.parse(await ctx.deps.ip(['-j', '-d', 'link', 'show'])) as { ifname: string; linkinfo?: { info_kind?: string } }[];
  const link = links.find((l) => l.ifname === bridge);
  if (link?.linkinfo?.info_kind !== 'bridge') {
    throw new VirtkitError('BRIDGE_NOT_FOUND', `network '${def.name}' uses the host bridge '${bridge}', ${link === undefined ? 'which does not exist' : 'which is not a bridge'}; ` +
      `create it first (ip link add ${bridge} type bridge) or name another`, { details: { network: def.name, bridge } });
  }
  return bridge;
}
