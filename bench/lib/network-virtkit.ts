/**
 * The network bench's virtkit side (issue 8): one rooted daemon on the host, driven through its typed
 * client (the API column) and as `virtkit` processes (the CLI column of net-start / net-destroy).
 * Every name starts with the run's prefix (bridges `vkbn<id>s` / `vkbn<id>g`, networks and guests
 * `vkbn<id>-...`); taps are the daemon's vnetN; subnets are 10.241.N.0/24 (net-start rows) and
 * 10.242.N.0/24 (guests). The rows themselves: network-rows.ts.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { detachIfaceXml, netGuestXml, networkIfaceXml, WatchedConsole } from './network-guest.js';
import type { NetworkSide, SideNames } from './network-rows.js';
import { now } from './proc.js';
import type { VirtkitInstance } from './virtkit-instance.js';

const id = randomBytes(2).toString('hex');
const n = randomInt(10, 250);
/** Every bridge, network and guest of this run's virtkit side starts with it. */
export const PREFIX = `vkbn${id}`;
export const VIRTKIT_NAMES: SideNames = { prefix: PREFIX, startSubnet: `10.241.${n}`, guestSubnet: `10.242.${n}`, macBytes: `b8:${id.slice(0, 2)}` };

export class VirtkitNetworkSide implements NetworkSide {
  readonly names = VIRTKIT_NAMES;

  constructor(readonly vk: VirtkitInstance) {}

  async defineNetwork(_name: string, xml: string): Promise<void> {
    await this.vk.client.defineNetwork(xml);
  }

  async undefineNetwork(name: string): Promise<void> {
    await this.vk.client.undefineNetwork(name);
  }

  async netStart(name: string): Promise<void> {
    await this.vk.client.networkAction(name, 'start');
  }

  async netDestroy(name: string): Promise<void> {
    await this.vk.client.networkAction(name, 'destroy');
  }

  async netStartProcess(name: string): Promise<number> {
    return (await this.vk.cli(['net-start', name])).ms;
  }

  async netDestroyProcess(name: string): Promise<number> {
    return (await this.vk.cli(['net-destroy', name])).ms;
  }

  async startGuest(name: string, network: string, mac: string): Promise<{ t0: number; console: WatchedConsole }> {
    await this.vk.client.defineDomain(await netGuestXml(name, network, mac));
    const t0 = now();
    await this.vk.client.action(name, 'start', {});
    return { t0, console: new WatchedConsole(await this.vk.client.console(name)) };
  }

  async removeGuest(name: string): Promise<void> {
    await this.vk.client.action(name, 'destroy', {});
    await this.vk.client.undefineDomain(name);
  }

  /** `attachDevice` of `<interface type='network'>`: what `virtkit attach-interface --type network` sends. */
  async attach(guest: string, network: string, mac: string): Promise<void> {
    await this.vk.client.attachDevice(guest, networkIfaceXml(network, mac), { live: true });
  }

  /** Returns once QEMU's DEVICE_DELETED came (the guest ejected the NIC) and the tap is gone. */
  async detach(guest: string, _network: string, mac: string): Promise<void> {
    await this.vk.client.detachDevice(guest, detachIfaceXml(mac), { live: true });
  }
}
