/**
 * The network bench's virtkit rows (issue 8), against one rooted daemon: net-start / net-destroy
 * of a NAT network (API and CLI), start -> DHCP lease of a guest on it, attach / detach of a NIC
 * (API), plugging and unplugging 50 NICs, and guest-to-guest throughput over the bridge with
 * busybox nc. Every name starts with the run's prefix (bridges `vkbn<id>...`, networks and guests
 * `vkbn<id>-...`); subnets are 10.241.N.0/24 (net-start rows) and 10.242.N.0/24 (guests).
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { Samples } from './stats.js';
import { leaseLine } from '../../tests/helpers/guest.js';
import { bootNetGuest, detachIfaceXml, networkIfaceXml, type WatchedConsole } from './network-guest.js';
import { now } from './proc.js';
import type { VirtkitInstance } from './virtkit-instance.js';

export interface NetworkPlan {
  startReps: number;
  cliReps: number;
  leaseReps: number;
  attachReps: number;
  plugCount: number;
  /** NICs plugged at once before they are unplugged (a pc machine has 32 slots on bus 0). */
  plugBatch: number;
  throughputMiB: number;
  throughputReps: number;
}

const id = randomBytes(2).toString('hex');
/** Every bridge, network and guest of this run starts with it; taps are the daemon's vnetN. */
export const PREFIX = `vkbn${id}`;
const n = randomInt(10, 250);
export const START_NET = `${PREFIX}-s`;
export const GUEST_NET = `${PREFIX}-g`;
const mac = (i: number): string => `52:54:00:b8:${id.slice(0, 2)}:${i.toString(16).padStart(2, '0')}`;

export const natNetworkXml = (name: string, bridge: string, sub: string): string => `<network>
  <name>${name}</name>
  <forward mode='nat'/>
  <bridge name='${bridge}'/>
  <ip address='${sub}.1' netmask='255.255.255.0'>
    <dhcp><range start='${sub}.100' end='${sub}.199'/></dhcp>
  </ip>
</network>`;

/** net-start / net-destroy of a NAT network over the API, then as `virtkit` processes. */
export async function benchStartDestroy(vk: VirtkitInstance, plan: NetworkPlan, api: Samples, cli: Samples): Promise<void> {
  await vk.client.defineNetwork(natNetworkXml(START_NET, `${PREFIX}s`, `10.241.${n}`));
  // One uncounted start: the daemon reads dnsmasq's version and loads the network modules once.
  await vk.client.networkAction(START_NET, 'start');
  await vk.client.networkAction(START_NET, 'destroy');
  for (let i = 0; i < plan.startReps; i++) {
    const t0 = now();
    await vk.client.networkAction(START_NET, 'start');
    const t1 = now();
    await vk.client.networkAction(START_NET, 'destroy');
    api.add('netStart', t1 - t0);
    api.add('netDestroy', now() - t1);
  }
  for (let i = 0; i < plan.cliReps; i++) {
    cli.add('netStart', (await vk.cli(['net-start', START_NET])).ms);
    cli.add('netDestroy', (await vk.cli(['net-destroy', START_NET])).ms);
  }
  await vk.client.undefineNetwork(START_NET);
}

/**
 * Start -> marker and start -> `eth0 got IP` (both by their arrival on the console), each guest
 * destroyed after, but the last `keep` ones, returned running for the rows after.
 */
export async function benchLease(vk: VirtkitInstance, plan: NetworkPlan, api: Samples, keep: number): Promise<WatchedConsoleGuest[]> {
  await vk.client.defineNetwork(natNetworkXml(GUEST_NET, `${PREFIX}g`, `10.242.${n}`));
  await vk.client.networkAction(GUEST_NET, 'start');
  const kept: WatchedConsoleGuest[] = [];
  const total = Math.max(plan.leaseReps, keep);
  for (let i = 0; i < total; i++) {
    const name = `${PREFIX}-g${i}`;
    const { t0, console, marker } = await bootNetGuest(vk, name, GUEST_NET, mac(i));
    const re = leaseLine('eth0');
    const lease = await console.when(re);
    const ip = re.exec(console.text)?.[1] ?? '';
    if (i < plan.leaseReps) {
      api.add('boot', marker - t0);
      api.add('lease', lease - t0);
      api.add('leaseOverBoot', (lease - t0) / (marker - t0));
    }
    if (i >= total - keep) kept.push({ name, console, ip });
    else {
      console.close();
      await vk.client.action(name, 'destroy', {});
      await vk.client.undefineDomain(name);
    }
  }
  return kept;
}

export interface WatchedConsoleGuest {
  readonly name: string;
  readonly console: WatchedConsole;
  readonly ip: string;
}

/** attach-interface and detach of one NIC on the guest network, over the API (what the CLI sends). */
export async function benchAttach(vk: VirtkitInstance, g: WatchedConsoleGuest, plan: NetworkPlan, api: Samples): Promise<void> {
  for (let i = 0; i < plan.attachReps; i++) {
    const m = mac(0x80 + i);
    let t0 = now();
    await vk.client.attachDevice(g.name, networkIfaceXml(GUEST_NET, m), { live: true });
    api.add('attach', now() - t0);
    t0 = now();
    await vk.client.detachDevice(g.name, detachIfaceXml(m), { live: true });
    api.add('detach', now() - t0);
  }
}

/** plugCount NICs, plugBatch at a time: all plugged, then all unplugged; totals and per NIC. */
export async function benchPlugMany(vk: VirtkitInstance, g: WatchedConsoleGuest, plan: NetworkPlan, api: Samples): Promise<void> {
  let plug = 0;
  let unplug = 0;
  for (let done = 0; done < plan.plugCount; done += plan.plugBatch) {
    const macs = Array.from({ length: Math.min(plan.plugBatch, plan.plugCount - done) }, (_, i) => mac(0xa0 + ((done + i) % 0x50)));
    let t0 = now();
    for (const m of macs) await vk.client.attachDevice(g.name, networkIfaceXml(GUEST_NET, m), { live: true });
    plug += now() - t0;
    t0 = now();
    for (const m of macs) await vk.client.detachDevice(g.name, detachIfaceXml(m), { live: true });
    unplug += now() - t0;
  }
  api.add('plugTotal', plug);
  api.add('unplugTotal', unplug);
  api.add('plugEach', plug / plan.plugCount);
  api.add('unplugEach', unplug / plan.plugCount);
}

/** `dd | nc` from guest a to `nc -l` on guest b, timed by the host around the sender's command. */
export async function benchThroughput(a: WatchedConsoleGuest, b: WatchedConsoleGuest, plan: NetworkPlan, api: Samples): Promise<void> {
  const count = plan.throughputMiB * 16;
  for (let i = 0; i < plan.throughputReps; i++) {
    const port = 5001 + i;
    const r = await b.console.shell.run(`nc -l -p ${port} > /dev/null & echo started`);
    if (r.code !== 0) throw new Error(`nc -l on ${b.name}: ${r.output}`);
    // The listener is up once its shell has forked it; give it a moment to bind (not timed).
    await b.console.shell.run('sleep 1');
    const t0 = now();
    const s = await a.console.shell.run(`dd if=/dev/zero bs=64k count=${count} 2>/dev/null | nc ${b.ip} ${port}`, 300_000);
    const ms = now() - t0;
    if (s.code !== 0) throw new Error(`dd | nc on ${a.name} exited ${s.code}: ${s.output}`);
    api.add('throughput', plan.throughputMiB / (ms / 1000));
    await b.console.shell.run('wait');
  }
}
