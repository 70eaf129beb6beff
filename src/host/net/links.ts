/**
 * Host network links through iproute2 (`ip -j`, no hand-made netlink): list,
 * bridges, persistent taps (QEMU opens them by ifname), veth pairs, master,
 * MAC, MTU, up/down, addresses, counters. A `Links` works in the host's
 * namespace or, with `netns`, inside a named network namespace (`ip -n NS`).
 * Every name is checked against the kernel's rules first (IFACE_NAME_INVALID).
 */
import { VirtkitError } from '../../core/errors.js';
import { checkIfName } from './link-names.js';
import { isBatchWord } from './ip-batch.js';
import { runIp, type IpRunner } from './ip-runner.js';
import { WarmIp } from './ip-warm.js';

export interface LinkCounters {
  readonly bytes: number;
  readonly packets: number;
  readonly errors: number;
  readonly dropped: number;
}

export interface LinkInfo {
  readonly name: string;
  readonly index: number;
  readonly mtu: number;
  readonly mac: string | undefined;
  /** IFF_UP: set administratively up. */
  readonly up: boolean;
  readonly operstate: string;
  /** The bridge (or bond) it is plugged into. */
  readonly master: string | undefined;
  /** bridge, tun, veth, dummy...; undefined for a plain device. */
  readonly kind: string | undefined;
  readonly rx: LinkCounters | undefined;
  readonly tx: LinkCounters | undefined;
}

export interface LinkAddress {
  readonly family: 'inet' | 'inet6';
  readonly local: string;
  readonly prefixlen: number;
}

interface RawLink {
  ifname: string; ifindex: number; mtu: number; address?: string; flags?: string[]; operstate?: string; master?: string;
  linkinfo?: { info_kind?: string };
  stats64?: { rx?: Partial<LinkCounters>; tx?: Partial<LinkCounters> };
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

const counters = (c: Partial<LinkCounters> | undefined): LinkCounters | undefined => c === undefined ? undefined : {
  bytes: c.bytes ?? 0, packets: c.packets ?? 0, errors: c.errors ?? 0, dropped: c.dropped ?? 0,
};

function toLink(r: RawLink): LinkInfo {
  return {
    name: r.ifname, index: r.ifindex, mtu: r.mtu, mac: r.address, up: r.flags?.includes('UP') ?? false,
    operstate: r.operstate ?? 'UNKNOWN', master: r.master, kind: r.linkinfo?.info_kind,
    rx: counters(r.stats64?.rx), tx: counters(r.stats64?.tx),
  };
}

export interface BridgeOptions {
  /** Spanning tree; libvirt's networks run without it. Default: off. */
  readonly stp?: boolean;
  /** Forward delay in centiseconds (the kernel's unit); libvirt's networks use 0. Default: 0. */
  readonly forwardDelayCs?: number;
  readonly mtu?: number;
  readonly mac?: string;
}

export interface TapOptions {
  /** IFF_MULTI_QUEUE: needed for QEMU's queues=N with N > 1 (and refused by QEMU when queues=1). */
  readonly multiQueue?: boolean;
  /** The user (name or uid) allowed to open it; root when absent. */
  readonly user?: string;
}

/** Settings `Links.set` applies in one request. */
export interface LinkSettings {
  readonly mac?: string;
  readonly mtu?: number;
  readonly master?: string;
  readonly up?: boolean;
}

function tapArgs(name: string, opts: TapOptions): string[] {
  checkIfName(name, 'tap name');
  return ['tuntap', 'add', 'dev', name, 'mode', 'tap',
    ...(opts.multiQueue === true ? ['multi_queue'] : []), ...(opts.user === undefined ? [] : ['user', opts.user])];
}

function setArgs(name: string, s: LinkSettings): string[] {
  checkIfName(name);
  if (s.master !== undefined) checkIfName(s.master, 'bridge name');
  return ['link', 'set', 'dev', name,
    ...(s.mac === undefined ? [] : ['address', s.mac]),
    ...(s.mtu === undefined ? [] : ['mtu', String(s.mtu)]),
    ...(s.master === undefined ? [] : ['master', s.master]),
    ...(s.up === undefined ? [] : [s.up ? 'up' : 'down'])];
}

/** The step of Links.createTapWith that failed: 0 the making (also when ip could not say), 1 the settings. */
export function failedStep(e: unknown): number {
  const step = e instanceof VirtkitError ? e.details?.['step'] : undefined;
  return typeof step === 'number' ? step : 0;
}

export class Links {
  readonly #run: IpRunner;
  readonly #ns: readonly string[];
  readonly #warm: WarmIp | undefined;

  /**
   * `warm`: taps are made, set up and deleted through an ip started ahead of time (host/net/ip-warm.ts),
   * not a process started for each; for a long-lived user (the daemon), with the real ip only.
   */
  constructor(opts: { run?: IpRunner; netns?: string; warm?: boolean } = {}) {
    this.#run = opts.run ?? runIp;
    this.#ns = opts.netns === undefined ? [] : ['-n', opts.netns];
    this.#warm = opts.warm === true && opts.run === undefined ? new WarmIp(this.#ns) : undefined;
  }

  #ip(args: readonly string[]): Promise<string> {
    return this.#run([...this.#ns, ...args]);
  }

  /** A command whose answer is its exit status: through the waiting ip where there is one. */
  #change(args: readonly string[]): Promise<unknown> {
    return this.#warm !== undefined && args.every(isBatchWord) ? this.#warm.run(args) : this.#ip(args);
  }

  /**
   * Runs `steps` in order, stopping at the first that fails; the rejection names it (failedStep), or an
   * earlier one when ip could not say, never a later one.
   */
  async #changes(steps: readonly (readonly string[])[]): Promise<void> {
    if (this.#warm !== undefined && steps.every((s) => s.every(isBatchWord))) {
      await this.#warm.steps(steps);
      return;
    }
    for (const [i, s] of steps.entries()) {
      await this.#ip(s).catch((e: unknown) => {
        throw e instanceof VirtkitError ? new VirtkitError(e.code, e.message, { details: { ...e.details, step: i }, cause: e.cause }) : e;
      });
    }
  }

  /** Ends the waiting ip, if any. */
  close(): void {
    this.#warm?.close();
  }

  /** Every link, with details (kind) and counters. */
  async list(): Promise<LinkInfo[]> {
    return (JSON.parse(await this.#ip(['-j', '-d', '-s', 'link', 'show'])) as RawLink[]).map(toLink);
  }

  /** The link `name`, or undefined when there is none. */
  async get(name: string): Promise<LinkInfo | undefined> {
    checkIfName(name);
    return (await this.list()).find((l) => l.name === name);
  }

  async createBridge(name: string, opts: BridgeOptions = {}): Promise<void> {
    checkIfName(name, 'bridge name');
    await this.#ip(['link', 'add', 'name', name, ...this.#macMtu(opts), 'type', 'bridge',
      'stp_state', opts.stp === true ? '1' : '0', 'forward_delay', String(opts.forwardDelayCs ?? 0)]);
  }

  /** A persistent tap, which QEMU then opens by ifname (`-netdev tap,ifname=NAME`). */
  async createTap(name: string, opts: TapOptions = {}): Promise<void> {
    await this.#change(tapArgs(name, opts));
  }

  /**
   * A persistent tap made, then set up (createTap, then set): with `warm`, in one ip process. The
   * rejection says which failed (failedStep: 0 the making, 1 the settings).
   */
  async createTapWith(name: string, opts: TapOptions, s: LinkSettings): Promise<void> {
    const set = setArgs(name, s);
    await this.#changes(set.length > 4 ? [tapArgs(name, opts), set] : [tapArgs(name, opts)]);
  }

  /** A veth pair `name` <-> `peer`; with `peerNetns` the peer is made in that namespace. */
  async createVeth(name: string, peer: string, opts: { peerNetns?: string } = {}): Promise<void> {
    checkIfName(name, 'veth name');
    checkIfName(peer, 'veth peer name');
    await this.#ip(['link', 'add', 'name', name, 'type', 'veth', 'peer', 'name', peer,
      ...(opts.peerNetns === undefined ? [] : ['netns', opts.peerNetns])]);
  }

  /** Deletes a link (a veth takes its peer with it). */
  async delete(name: string): Promise<void> {
    checkIfName(name);
    await this.#change(['link', 'del', 'dev', name]);
  }

  /** Deletes `name` if it exists; true when it did. */
  async deleteIfExists(name: string): Promise<boolean> {
    if ((await this.get(name)) === undefined) return false;
    await this.delete(name);
    return true;
  }

  async setNetns(name: string, netns: string): Promise<void> {
    checkIfName(name);
    await this.#ip(['link', 'set', 'dev', name, 'netns', netns]);
  }

  /** Plugs `name` into the bridge `master`, or unplugs it (null). */
  async setMaster(name: string, master: string | null): Promise<void> {
    checkIfName(name);
    if (master !== null) checkIfName(master, 'bridge name');
    await this.#ip(['link', 'set', 'dev', name, ...(master === null ? ['nomaster'] : ['master', master])]);
  }

  async setMac(name: string, mac: string): Promise<void> {
    checkIfName(name);
    await this.#ip(['link', 'set', 'dev', name, 'address', mac]);
  }

  async setMtu(name: string, mtu: number): Promise<void> {
    checkIfName(name);
    await this.#ip(['link', 'set', 'dev', name, 'mtu', String(mtu)]);
  }

  /**
   * Several settings in one `ip link set` (one netlink request, one process): the kernel applies the MAC and
   * MTU first, then the flags (up), then the master, whatever order they are given in.
   */
  async set(name: string, s: LinkSettings): Promise<void> {
    const args = setArgs(name, s);
    if (args.length > 4) await this.#change(args);
  }

  async setUp(name: string, up: boolean): Promise<void> {
    checkIfName(name);
    await this.#change(['link', 'set', 'dev', name, up ? 'up' : 'down']);
  }

  /** Adds `cidr` (e.g. 192.168.100.1/24 or fd00::1/64) to `name`. */
  async addAddress(name: string, cidr: string): Promise<void> {
    checkIfName(name);
    await this.#ip(['addr', 'add', cidr, 'dev', name]);
  }

  async delAddress(name: string, cidr: string): Promise<void> {
    checkIfName(name);
    await this.#ip(['addr', 'del', cidr, 'dev', name]);
  }

  async addresses(name: string): Promise<LinkAddress[]> {
    checkIfName(name);
    const [raw] = JSON.parse(await this.#ip(['-j', 'addr', 'show', 'dev', name])) as RawLink[];
    return (raw?.addr_info ?? []).flatMap((a) => a.family === 'inet' || a.family === 'inet6'
      ? [{ family: a.family, local: a.local, prefixlen: a.prefixlen }] : []);
  }

  #macMtu(opts: { mtu?: number; mac?: string }): string[] {
    return [...(opts.mtu === undefined ? [] : ['mtu', String(opts.mtu)]), ...(opts.mac === undefined ? [] : ['address', opts.mac])];
  }
}
