/**
 * Networks of forward mode 'bridge' on a Linux bridge of the host (`<forward mode='bridge'/>
 * <bridge name='br0'/>`): the bridge is the admin's, so starting the network only checks that
 * it exists and is a bridge (no bridge made, no dnsmasq, no firewall, no veth links); its
 * interfaces' taps go into it. Destroy, and reconcile after a crash, never touch the host: they
 * only drop the record. Open vSwitch (`<virtualport type='openvswitch'/>`) and macvtap-style
 * (`<forward dev>`, `<interface>`) bridge networks are refused at start, for now.
 */
import { VirtkitError } from '../../core/errors.js';
import { forwardMode, type NetworkDef } from '../../core/xml/network/index.js';
import type { NetworkContext } from './context.js';

/** Whether `def` is a network on a host Linux bridge (forward mode 'bridge' with a bridge name). */
export function onHostBridge(def: NetworkDef): boolean {
  return forwardMode(def) === 'bridge' && def.bridge?.name !== undefined;
}

/** Refuses what virtkit does not start yet; checks that the host bridge is there. Returns its name. */
export async function checkHostBridge(ctx: NetworkContext, def: NetworkDef): Promise<string> {
  const bridge = def.bridge?.name ?? '';
  const refuse = (path: string, what: string): never => {
    throw new VirtkitError('XML_UNSUPPORTED', `${path}: network '${def.name}': ${what} is not started by virtkit yet`, { details: { path, network: def.name } });
  };
  if (def.virtualport !== undefined || (def.portgroup ?? []).some((p) => p.virtualport !== undefined)) refuse('/network/virtualport', 'a bridge network with a virtualport (Open vSwitch)');
  if (def.link !== undefined && def.link.length > 0) refuse('/network/virtkit:link', "a veth link on a bridge that is not virtkit's");
  const links = JSON.parse(await ctx.deps.ip(['-j', '-d', 'link', 'show'])) as { ifname: string; linkinfo?: { info_kind?: string } }[];
  const link = links.find((l) => l.ifname === bridge);
  if (link?.linkinfo?.info_kind !== 'bridge') {
    throw new VirtkitError('BRIDGE_NOT_FOUND', `network '${def.name}' uses the host bridge '${bridge}', ${link === undefined ? 'which does not exist' : 'which is not a bridge'}; ` +
      `create it first (ip link add ${bridge} type bridge) or name another`, { details: { network: def.name, bridge } });
  }
  return bridge;
}
