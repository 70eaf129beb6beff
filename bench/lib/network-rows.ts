/**
 * The network bench's rows (issue 8), written once against a NetworkSide so that virtkit's column and
 * libvirt's measure the same things the same way: net-start / net-destroy of a NAT network (API-level
 * and as whole processes), start -> marker and start -> DHCP lease of a guest on a NAT network (both
 * by their arrival on the guest's console), attach / detach of a NIC, plugging and unplugging 50 NICs,
 * guest-to-guest throughput over the bridge with busybox nc. Each side names everything with its own
 * prefix and subnets (SideNames); the sides are network-virtkit.ts and network-libvirt.ts.
 */
import { GUEST_READY_MARKER, leaseLine } from '../../tests/helpers/guest.js';
import type { WatchedConsole } from './network-guest.js';
import { now } from './proc.js';
import type { Samples } from './stats.js';

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

/** Everything of one side starts with `prefix` (bridges `PREFIXs` / `PREFIXg`); subnets are `A.B.C` /24s. */
export interface SideNames {
  readonly prefix: string;
  readonly startSubnet: string;
  readonly guestSubnet: string;
  /** Fourth and fifth bytes of the side's MACs (52:54:00:XX:YY:NN). */
  readonly macBytes: string;
}

export const startNet = (n: SideNames): string => `${n.prefix}-s`;
export const guestNet = (n: SideNames): string => `${n.prefix}-g`;
export const sideMac = (n: SideNames, i: number): string => `52:54:00:${n.macBytes}:${i.toString(16).padStart(2, '0')}`;

export const natNetworkXml = (name: string, bridge: string, sub: string): string => `<network>
  <name>${name}</name>
  <forward mode='nat'/>
  <bridge name='${bridge}'/>
  <ip address='${sub}.1' netmask='255.255.255.0'>
    <dhcp><range start='${sub}.100' end='${sub}.199'/></dhcp>
  </ip>
</network>`;

/** One manager's way of doing each step; what a row times is one call of it. */
export interface NetworkSide {
  readonly names: SideNames;
  defineNetwork(name: string, xml: string): Promise<void>;
  undefineNetwork(name: string): Promise<void>;
  netStart(name: string): Promise<void>;
  netDestroy(name: string): Promise<void>;
  /** The same as whole processes (`virtkit net-start`, `virsh net-start`): their wall time in ms. */
  netStartProcess(name: string): Promise<number>;
  netDestroyProcess(name: string): Promise<number>;
  /** Defines the networked test guest (not timed); `t0` is taken right before its start request, the console opened once start returned. */
  startGuest(name: string, network: string, mac: string): Promise<{ t0: number; console: WatchedConsole }>;
  removeGuest(name: string): Promise<void>;
  attach(guest: string, network: string, mac: string): Promise<void>;
  detach(guest: string, network: string, mac: string): Promise<void>;
  /** Not timed, after detaches: waits until the guest's definition holds none of `macs` (a detach may return first). */
  settle?(guest: string, macs: readonly string[]): Promise<void>;
}

/** One side's samples: API-level steps into `api`, whole processes into `proc`. */
export interface SideRun {
  readonly side: NetworkSide;
  readonly api: Samples;
  readonly proc: Samples;
}

/** The sides in turn, the order reversed every other repetition, so that the machine's load changes hit them alike. */
async function interleaved(runs: readonly SideRun[], reps: number, fn: (r: SideRun, i: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < reps; i++) {
    for (const r of i % 2 === 0 ? runs : [...runs].reverse()) await fn(r, i);
  }
}

/** net-start / net-destroy of a NAT network, API-level, then as processes; the sides interleaved. */
export async function benchStartDestroy(runs: readonly SideRun[], plan: NetworkPlan): Promise<void> {
  for (const { side } of runs) {
    const n = side.names;
    const name = startNet(n);
    await side.defineNetwork(name, natNetworkXml(name, `${n.prefix}s`, n.startSubnet));
    // One uncounted start: first-time work (dnsmasq's version, modules, the firewall's first tables).
    await side.netStart(name);
    await side.netDestroy(name);
  }
  await interleaved(runs, plan.startReps, async ({ side, api }) => {
    const name = startNet(side.names);
    const t0 = now();
    await side.netStart(name);
    const t1 = now();
    await side.netDestroy(name);
    api.add('netStart', t1 - t0);
    api.add('netDestroy', now() - t1);
  });
  await interleaved(runs, plan.cliReps, async ({ side, proc }) => {
    proc.add('netStart', await side.netStartProcess(startNet(side.names)));
    proc.add('netDestroy', await side.netDestroyProcess(startNet(side.names)));
  });
  for (const { side } of runs) await side.undefineNetwork(startNet(side.names));
}

export interface WatchedConsoleGuest {
  readonly name: string;
  readonly console: WatchedConsole;
  readonly ip: string;
}

/** The guests' NAT network, defined and started (not timed). */
export async function startGuestNet(side: NetworkSide): Promise<void> {
  const n = side.names;
  await side.defineNetwork(guestNet(n), natNetworkXml(guestNet(n), `${n.prefix}g`, n.guestSubnet));
  await side.netStart(guestNet(n));
}

export async function stopGuestNet(side: NetworkSide): Promise<void> {
  await side.netDestroy(guestNet(side.names));
  await side.undefineNetwork(guestNet(side.names));
}

/** Guest `i` started; resolves once both its marker and its `eth0 got IP` have arrived, with their times. */
async function bootGuest(side: NetworkSide, i: number): Promise<WatchedConsoleGuest & { t0: number; marker: number; lease: number }> {
  const name = `${side.names.prefix}-g${i}`;
  const { t0, console } = await side.startGuest(name, guestNet(side.names), sideMac(side.names, i));
  const re = leaseLine('eth0');
  // Both waits are registered at once: each resolves with its own line's arrival, whichever comes first.
  const [marker, lease] = await Promise.all([console.when(GUEST_READY_MARKER), console.when(re)]);
  return { name, console, ip: re.exec(console.text)?.[1] ?? '', t0, marker, lease };
}

/**
 * Start -> marker and start -> `eth0 got IP` (both by their arrival on the console), one guest at a
 * time, the sides interleaved; each guest removed after. The guests' networks must be running.
 */
export async function benchLease(runs: readonly SideRun[], plan: NetworkPlan): Promise<void> {
  await interleaved(runs, plan.leaseReps, async ({ side, api }, i) => {
    const g = await bootGuest(side, i);
    api.add('boot', g.marker - g.t0);
    api.add('lease', g.lease - g.t0);
    api.add('leaseOverBoot', (g.lease - g.t0) / (g.marker - g.t0));
    g.console.close();
    await side.removeGuest(g.name);
  });
}

/** `count` guests for the rows after the lease (booted and leased, not timed), numbered from `from`. */
export async function bootKept(side: NetworkSide, count: number, from: number): Promise<WatchedConsoleGuest[]> {
  const kept: WatchedConsoleGuest[] = [];
  for (let i = 0; i < count; i++) kept.push(await bootGuest(side, from + i));
  return kept;
}

/** attach-interface and detach of one NIC on the guests' network, live. */
export async function benchAttach(side: NetworkSide, g: WatchedConsoleGuest, plan: NetworkPlan, api: Samples): Promise<void> {
  const net = guestNet(side.names);
  for (let i = 0; i < plan.attachReps; i++) {
    const m = sideMac(side.names, 0x80 + i);
    let t0 = now();
    await side.attach(g.name, net, m);
    api.add('attach', now() - t0);
    t0 = now();
    await side.detach(g.name, net, m);
    api.add('detach', now() - t0);
    await side.settle?.(g.name, [m]);
  }
}

/** plugCount NICs, plugBatch at a time: all plugged, then all unplugged; totals and per NIC. */
export async function benchPlugMany(side: NetworkSide, g: WatchedConsoleGuest, plan: NetworkPlan, api: Samples): Promise<void> {
  const net = guestNet(side.names);
  let plug = 0;
  let unplug = 0;
  for (let done = 0; done < plan.plugCount; done += plan.plugBatch) {
    const macs = Array.from({ length: Math.min(plan.plugBatch, plan.plugCount - done) }, (_, i) => sideMac(side.names, 0xa0 + ((done + i) % 0x50)));
    let t0 = now();
    for (const m of macs) await side.attach(g.name, net, m);
    plug += now() - t0;
    t0 = now();
    for (const m of macs) await side.detach(g.name, net, m);
    unplug += now() - t0;
    await side.settle?.(g.name, macs);
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
