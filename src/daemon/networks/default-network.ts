/**
 * The `default` network, as libvirt's packaging ships it (default.xml): NAT, 192.168.122.1/24
 * on virbr0, DHCP .2-.254, autostarted. Defined the first time a request names it and no
 * network has that name. When 192.168.122.0/24 overlaps a host route or another network, the
 * next free 192.168.N.0/24 (N = 123..254) is taken, as libvirt's packaging does at install,
 * and the log says so. It is defined and marked autostart, not started: net-start starts it.
 */
import { isVirtkitError } from '../../core/errors.js';
import type { NetworkContext } from './context.js';
import { defineNetwork, setNetworkAutostart } from './network-ops.js';

export const DEFAULT_NETWORK = 'default';

/** libvirt's default.xml on 192.168.THIRD.0/24; the bridge name (virbrN) is picked at define. */
export function defaultNetworkXml(third: number): string {
  return `<network>\n  <name>${DEFAULT_NETWORK}</name>\n  <forward mode='nat'/>\n` +
    `  <ip address='192.168.${third}.1' netmask='255.255.255.0'>\n    <dhcp>\n      <range start='192.168.${third}.2' end='192.168.${third}.254'/>\n    </dhcp>\n  </ip>\n</network>\n`;
}

let making: WeakMap<NetworkContext, Promise<void>> = new WeakMap();

export async function ensureDefaultNetwork(ctx: NetworkContext): Promise<void> {
  if (ctx.networks.byName(DEFAULT_NETWORK)) return;
  let p = making.get(ctx);
  if (!p) {
    p = (async () => {
      for (let third = 122; third < 255; third++) {
        try {
          await defineNetwork(ctx, defaultNetworkXml(third), { wait: 30_000 });
          if (third !== 122) ctx.deps.log.warn(`network 'default': 192.168.122.0/24 is in use on this host; took 192.168.${third}.0/24 instead`);
          break;
        } catch (e) {
          if (!(isVirtkitError(e) && e.code === 'XML_CONFLICT') || third === 254) throw e;
        }
      }
      await setNetworkAutostart(ctx, DEFAULT_NETWORK, true, { wait: 30_000 });
    })().finally(() => making.delete(ctx));
    making.set(ctx, p);
  }
  await p;
}

/** For tests that build several contexts in one process. */
export function forgetDefaultNetworks(): void {
  making = new WeakMap();
}
