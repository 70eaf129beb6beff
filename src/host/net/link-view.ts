/**
 * What making and removing a tap needs to know of the host's links, without a process: the names in
 * use, a Linux bridge's MTU and ports (with their MACs), whether a name is a tun/tap.
 * `lookupFromList` answers from an `ip -j -d -s link show` listing (Links.list); `SysNet` from procfs
 * and sysfs, in a fraction of a millisecond where spawning `ip` costs several. The names come from
 * /proc/self/net/dev, which always shows this process's namespace; /sys/class/net shows the
 * namespace sysfs was mounted in, so SysNet answers only while both list the same names (else
 * undefined: ask ip). Any other link is looked up in the listing, fetched only then (errors and
 * Open vSwitch bridges are rare paths).
 *
 * The files are read synchronously: procfs and sysfs are made in memory by the kernel when read
 * (no disk, nothing to wait for), and one async readFile is four or five trips through libuv's
 * thread pool (open, fstat, read, close), each a wake-up of node's event loop: about 1.4 ms for
 * the names, the bridge and its ports of an attach, against about 0.1 ms read in place
 * (docs/bench.md, "Pass of stop 17").
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { checkIfName } from './link-names.js';
import type { LinkInfo } from './links.js';

/** A link as the tap code sees it (a LinkInfo has all of it). */
export interface LinkFacts {
  readonly name: string;
  readonly kind: string | undefined;
  readonly mtu: number;
  readonly mac: string | undefined;
  readonly master: string | undefined;
}

/** A Linux bridge with its ports. */
export type BridgeFacts = LinkFacts & { readonly ports: BridgePort[] };

export interface BridgePort {
  readonly name: string;
  readonly mac: string | undefined;
}

export interface LinkLookup {
  /** Every link name in use. */
  readonly names: ReadonlySet<string>;
  /** The link `name`, or undefined when there is none. */
  find(name: string): Promise<LinkFacts | undefined>;
  /** The links plugged into the bridge `name`. */
  ports(bridge: string): Promise<BridgePort[]>;
}

export function lookupFromList(all: readonly LinkInfo[]): LinkLookup {
  return {
    names: new Set(all.map((l) => l.name)),
    find: (name) => Promise.resolve(all.find((l) => l.name === name)),
    ports: (bridge) => Promise.resolve(all.filter((l) => l.master === bridge).map((l) => ({ name: l.name, mac: l.mac }))),
  };
}

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
};

const readDir = (path: string): string[] | undefined => {
  try {
    return readdirSync(path);
  } catch {
    return undefined;
  }
};

/** The interface names of a /proc/net/dev text (two header lines, then "NAME: counters"). */
export function parseProcNetDev(text: string): string[] {
  return text.split('\n').slice(2).flatMap((l) => {
    const colon = l.indexOf(':');
    return colon < 0 ? [] : [l.slice(0, colon).trim()];
  });
}

export class SysNet {
  readonly #proc: string;
  readonly #sys: string;

  /** `procRoot` / `sysRoot`: where /proc and /sys are (tests point them at a fake tree). */
  constructor(opts: { procRoot?: string; sysRoot?: string } = {}) {
    this.#proc = opts.procRoot ?? '/proc';
    this.#sys = opts.sysRoot ?? '/sys';
  }

  #net(...parts: string[]): string {
    return join(this.#sys, 'class', 'net', ...parts);
  }

  /** Every link name of this process's namespace, or undefined when /sys shows another namespace (or either cannot be read). */
  async names(): Promise<ReadonlySet<string> | undefined> {
    return this.#names();
  }

  #names(): ReadonlySet<string> | undefined {
    const dev = readText(join(this.#proc, 'self', 'net', 'dev'));
    const sys = readDir(this.#net());
    if (dev === undefined || sys === undefined) return undefined;
    const names = new Set(parseProcNetDev(dev));
    // A link made or removed between the two reads also lands here: the listing answers then.
    return sys.length === names.size && sys.every((n) => names.has(n)) ? names : undefined;
  }

  /** The Linux bridge `name` (its MTU and ports), or undefined when there is no Linux bridge of that name. */
  async bridge(name: string): Promise<BridgeFacts | undefined> {
    return this.#bridge(name);
  }

  #bridge(name: string): BridgeFacts | undefined {
    checkIfName(name, 'bridge name');
    const mtu = readText(this.#net(name, 'mtu'));
    const ports = readDir(this.#net(name, 'brif'));
    if (mtu === undefined || ports === undefined) return undefined;
    const mac = readText(this.#net(name, 'address'));
    // A port that goes away meanwhile has no address left to read: it is left out.
    const withMacs = ports.map((p) => ({ name: p, mac: readText(this.#net(p, 'address')) }));
    return { name, kind: 'bridge', mtu: Number(mtu), mac, master: undefined, ports: withMacs.filter((p) => p.mac !== undefined) };
  }

  /** The tun/tap `name` (it has tun_flags), or undefined when there is no tun/tap of that name. */
  async tap(name: string): Promise<LinkFacts | undefined> {
    return this.#tap(name);
  }

  #tap(name: string): LinkFacts | undefined {
    checkIfName(name);
    const flags = readText(this.#net(name, 'tun_flags'));
    const mtu = readText(this.#net(name, 'mtu'));
    if (flags === undefined || mtu === undefined) return undefined;
    let master: string | undefined;
    try {
      master = basename(readlinkSync(this.#net(name, 'master')));
    } catch {
      master = undefined;
    }
    return { name, kind: 'tun', mtu: Number(mtu), mac: readText(this.#net(name, 'address')), master };
  }

  /**
   * A lookup of this namespace's links, or undefined when sysfs shows another one; a link that is
   * neither a Linux bridge nor a tun/tap is looked up in `list()` (called at most once).
   */
  async lookup(list: () => Promise<readonly LinkInfo[]>): Promise<LinkLookup | undefined> {
    const names = this.#names();
    if (names === undefined) return undefined;
    let listed: Promise<readonly LinkInfo[]> | undefined;
    const fromList = async (name: string): Promise<LinkInfo | undefined> => (await (listed ??= list())).find((l) => l.name === name);
    // A bridge is read once per lookup: its MTU, then its ports' MACs (the tap's checks ask for both).
    const bridges = new Map<string, BridgeFacts | undefined>();
    const bridge = (name: string): BridgeFacts | undefined => {
      if (!bridges.has(name)) bridges.set(name, this.#bridge(name));
      return bridges.get(name);
    };
    return {
      names,
      find: async (name) => (names.has(name) ? bridge(name) ?? this.#tap(name) ?? await fromList(name) : undefined),
      ports: async (name) => bridge(name)?.ports ?? [],
    };
  }
}
