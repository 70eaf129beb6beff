/**
 * The taps a domain's QEMU runs on, made and removed by virtkit (net-plan.ts says which): each
 * is recorded in the domain's runtime dir (taps.json, written atomically) before it is made, so
 * that whoever finds the domain gone (this daemon when QEMU exits, a restarted daemon at
 * re-attach, the next start) removes exactly the taps the domain made, and a re-attached domain
 * keeps them. A tap is set up as libvirt does: MAC (the guest's with 0xFE first), MTU (<mtu>, else
 * the bridge's), plugged into its bridge, up. With <virtualport type='openvswitch'> the bridge is
 * an Open vSwitch bridge and the tap becomes its port (VLANs, external-ids), recorded as such so
 * that its removal takes the port out of OVS too.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VirtkitError } from '../../core/errors.js';
import { SerialQueue } from '../../core/serial-queue.js';
import { nextVnetName } from '../../host/net/link-names.js';
import type { IpRunner } from '../../host/net/ip-runner.js';
import type { LinkFacts, LinkLookup, SysNet } from '../../host/net/link-view.js';
import { lookupFromList } from '../../host/net/link-view.js';
import { failedStep, type Links } from '../../host/net/links.js';
import { createMacvtap } from '../../host/net/macvtap.js';
import type { Ovs, OvsVlan } from '../../host/net/ovs.js';
import type { MacvtapPlan } from './net-macvtap.js';
import { nextMacvtapName } from './net-macvtap.js';
import type { OvsPortPlan, TapPlan } from './net-plan.js';

/**
 * The bridge a virtual network's taps go into; the network objects provide it (a later part of issue 8).
 * `ovs` when it is an Open vSwitch bridge (a network with <virtualport type='openvswitch'/>): the tap
 * becomes a port there, with `vlan` (the <vlan> of the portgroup asked for, else the default portgroup's,
 * else the network's) unless the interface has its own.
 */
export type NetworkResolver = (network: string, portgroup?: string) => Promise<{ readonly bridge: string; readonly ovs?: { readonly vlan?: OvsVlan } }>;

interface Uplink {
  readonly link?: LinkFacts;
  readonly ovs?: { readonly bridge: string; readonly port: OvsPortPlan };
}

export interface TapEntry {
  readonly alias: string;
  readonly name: string;
  /** A macvtap (type='direct', net-macvtap.ts) rather than a tun tap. */
  readonly macvtap?: true;
  /** A port of an Open vSwitch bridge. */
  readonly ovs?: true;
  /** The bridge a type='network' interface's network gave it (its live XML's <source bridge>). */
  readonly bridge?: string;
}

const TAPS_FILE = 'taps.json';

/** The taps recorded in `runDir` (none when the file is missing or does not parse). */
export async function readTapRecord(runDir: string): Promise<TapEntry[]> {
  try {
    const v = JSON.parse(await readFile(join(runDir, TAPS_FILE), 'utf8')) as { taps?: TapEntry[] };
    return (v.taps ?? []).filter((t) => typeof t.alias === 'string' && typeof t.name === 'string')
      .map((t) => ({
        alias: t.alias, name: t.name, ...(t.ovs === true ? { ovs: true as const } : {}), ...(t.macvtap === true ? { macvtap: true as const } : {}),
        ...(typeof t.bridge === 'string' ? { bridge: t.bridge } : {}),
      }));
  } catch {
    return [];
  }
}

/**
 * Hands out vnetN names for the whole driver, one tap at a time: picking a name and making the
 * tap happen under one lock, so two starts never take the same name.
 */
export class TapNamer {
  #last = -1;
  readonly #queue = new SerialQueue();

  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.#queue.run(fn);
  }

  next(inUse: ReadonlySet<string>): string {
    const { name, index } = nextVnetName(inUse, this.#last);
    this.#last = index;
    return name;
  }
}

export interface TapDeps {
  readonly links: Links;
  /**
   * The links of the namespace `links` works in, read from procfs and sysfs instead of an `ip` listing
   * (host/net/link-view.ts); only where that namespace is the daemon's own. Absent: the listing.
   */
  readonly sysNet?: SysNet;
  /** Runs `ip` for what Links does not do (macvtaps); default: iproute2 in the daemon's namespace. */
  readonly run?: IpRunner;
  readonly namer: TapNamer;
  readonly resolveNetwork: NetworkResolver | undefined;
  /** Open vSwitch, for taps with <virtualport type='openvswitch'>; absent: those are refused. */
  readonly ovs?: Ovs;
}

export class DomainTaps {
  #entries: TapEntry[];
  readonly #writes = new SerialQueue();

  private constructor(private readonly runDir: string, private readonly deps: TapDeps, entries: TapEntry[]) {
    this.#entries = entries;
  }

  /** A fresh domain (its runtime dir just made): no taps yet. */
  static empty(runDir: string, deps: TapDeps): DomainTaps {
    return new DomainTaps(runDir, deps, []);
  }

  /** The taps recorded by an earlier run (re-attach, or cleaning after a crash). */
  static async load(runDir: string, deps: TapDeps): Promise<DomainTaps> {
    return new DomainTaps(runDir, deps, await readTapRecord(runDir));
  }

  /** alias -> tap name. */
  names(): Record<string, string> {
    return Object.fromEntries(this.#entries.map((e) => [e.alias, e.name]));
  }

  /** alias -> the bridge of a type='network' interface's network. */
  bridges(): Record<string, string> {
    return Object.fromEntries(this.#entries.flatMap((e) => (e.bridge === undefined ? [] : [[e.alias, e.bridge]])));
  }

  nameOf(alias: string): string | undefined {
    return this.#entries.find((e) => e.alias === alias)?.name;
  }

  #save(): Promise<void> {
    const text = `${JSON.stringify({ taps: this.#entries }, null, 2)}\n`;
    const path = join(this.runDir, TAPS_FILE);
    return this.#writes.run(async () => {
      await writeFile(`${path}.tmp`, text, { mode: 0o600 });
      await rename(`${path}.tmp`, path);
    });
  }

  /** Where the tap of `p` goes: a Linux bridge (its link), an OVS bridge (its name, its internal port's link and the port's settings), or nowhere. */
  async #uplink(p: TapPlan, links: LinkLookup): Promise<Uplink> {
    let bridge: string;
    let ovsPort = p.ovs;
    if (p.uplink.kind === 'none') return {};
    if (p.uplink.kind === 'network') {
      const resolve = this.deps.resolveNetwork;
      if (resolve === undefined) {
        throw new VirtkitError('XML_UNSUPPORTED', `${p.path}/source: virtual networks are not there yet, so network '${p.uplink.network}' has no bridge; ` +
          "use type='bridge' with <source bridge='NAME'/>", { details: { path: `${p.path}/source`, paths: [`${p.path}/source`] } });
      }
      const net = await resolve(p.uplink.network, p.uplink.portgroup);
      bridge = net.bridge;
      // An OVS network: the port gets the interface's own <vlan>, else the network's (portgroup's), as libvirt's actual interface does.
      if (net.ovs !== undefined && p.networkOvs !== undefined) ovsPort = { ...(net.ovs.vlan === undefined ? {} : { vlan: net.ovs.vlan }), ...p.networkOvs };
    } else {
      bridge = p.uplink.bridge;
    }
    const link = await links.find(bridge);
    if (ovsPort !== undefined) return { ovs: { bridge, port: ovsPort }, ...await this.#ovsBridge(p, bridge, link) };
    if (link?.kind !== 'bridge' && link !== undefined && await this.#isOvsBridge(bridge)) {
      throw new VirtkitError('BRIDGE_NOT_FOUND', `${p.path}/source: '${bridge}' is an Open vSwitch bridge, not a Linux bridge; ` +
        "add <virtualport type='openvswitch'/> to the interface to plug it there", { details: { bridge, path: `${p.path}/source` } });
    }
    if (link?.kind !== 'bridge') {
      throw new VirtkitError('BRIDGE_NOT_FOUND', `${p.path}/source: ${link === undefined ? `there is no bridge '${bridge}' on this host` : `'${bridge}' is a ${link.kind ?? 'plain'} device, not a bridge`}; ` +
        `create it first (ip link add ${bridge} type bridge) or name another`, { details: { bridge, path: `${p.path}/source` } });
    }
    return { link };
  }

  async #isOvsBridge(bridge: string): Promise<boolean> {
    return (await this.deps.ovs?.bridgeExists(bridge).catch(() => false)) ?? false;
  }

  /**
   * The port of Open vSwitch bridge `br` whose link carries `mac`, if any: an OVS bridge is no kernel
   * master to list ports by, so its ports come from ovsdb (one ovs-vsctl, on OVS plugs only).
   */
  async #ovsTwin(br: string, mac: string, all: LinkLookup): Promise<{ name: string } | undefined> {
    for (const name of await this.deps.ovs?.listPorts(br) ?? []) {
      if ((await all.find(name))?.mac?.toLowerCase() === mac) return { name };
    }
    return undefined;
  }

  /** The OVS bridge of `p` (its kernel link: the bridge's internal port, for the MTU). */
  async #ovsBridge(p: TapPlan, bridge: string, link: LinkFacts | undefined): Promise<{ link?: LinkFacts }> {
    const ovs = this.deps.ovs;
    if (ovs === undefined) {
      throw new VirtkitError('XML_UNSUPPORTED', `${p.path}/virtualport: this driver has no Open vSwitch connection`, { details: { path: `${p.path}/virtualport` } });
    }
    if (!await ovs.bridgeExists(bridge)) {
      throw new VirtkitError('BRIDGE_NOT_FOUND', `${p.path}/source: there is no Open vSwitch bridge '${bridge}' (ovsdb ${ovs.db}); ` +
        `create it first (ovs-vsctl add-br ${bridge}), name another, or drop <virtualport type='openvswitch'/> for a Linux bridge`,
      { details: { bridge, path: `${p.path}/source`, db: ovs.db } });
    }
    return link === undefined ? {} : { link };
  }

  /** The host's links: from procfs and sysfs where it can, else one `ip` listing. */
  async #lookup(): Promise<LinkLookup> {
    const { links, sysNet } = this.deps;
    return await sysNet?.lookup(() => links.list()) ?? lookupFromList(await links.list());
  }

  /**
   * Makes, records and sets up the tap of `p`; returns its name. On failure nothing of it is left.
   * `named` hears the name once it is chosen and recorded (names() and bridges() have it, taps.json
   * is written), just before the tap is made: a hot-plug starts its status write there, to run while
   * `ip` does (started before taps.json is written, it held that write up: docs/bench.md).
   */
  plug(p: TapPlan, named?: (name: string) => void): Promise<string> {
    const { links, namer } = this.deps;
    return namer.exclusive(async () => {
      const all = await this.#lookup();
      const { link: bridge, ovs } = await this.#uplink(p, all);
      // Each tap carries its guest's MAC with 0xFE first: one already on this bridge is another interface with that MAC.
      const twin = ovs !== undefined ? await this.#ovsTwin(ovs.bridge, p.mac, all)
        : bridge === undefined ? undefined : (await all.ports(bridge.name)).find((l) => l.mac?.toLowerCase() === p.mac);
      if (twin !== undefined) {
        const on = ovs?.bridge ?? bridge?.name ?? '';
        throw new VirtkitError('MAC_IN_USE', `${p.path}/mac: another running interface on ${ovs === undefined ? '' : 'Open vSwitch '}bridge ${on} has this interface's MAC ` +
          `(its tap ${twin.name} carries ${p.mac}, the guest MAC with 0xFE first); give this interface another MAC`, {
          details: { tapMac: p.mac, bridge: on, tap: twin.name, path: `${p.path}/mac` },
        });
      }
      const inUse = all.names;
      if (p.name !== undefined && inUse.has(p.name)) {
        throw new VirtkitError('IFACE_EXISTS', `${p.path}/target/@dev: a network interface named '${p.name}' exists already on this host; ` +
          'name another, or leave <target dev> out to get a vnetN', { details: { name: p.name, path: `${p.path}/target/@dev` } });
      }
      const name = p.name ?? namer.next(inUse);
      // Recorded before it is made: a crash in between leaves a name to clean, never a tap nobody knows.
      const netBridge = p.uplink.kind !== 'network' ? undefined : ovs?.bridge ?? bridge?.name;
      this.#entries = [...this.#entries, { alias: p.alias, name, ...(ovs === undefined ? {} : { ovs: true as const }), ...(netBridge === undefined ? {} : { bridge: netBridge }) }];
      await this.#save();
      named?.(name);
      const tapOpts = { multiQueue: p.queues > 1 };
      const mtu = p.mtu ?? bridge?.mtu;
      const settings = { mac: p.mac, ...(mtu === undefined ? {} : { mtu }) };
      // A failure before the tap exists only drops its record: a tap of that name is someone else's (a
      // concurrent program took the name after the listing) and must not be removed.
      const forget = async (e: unknown): Promise<never> => {
        this.#entries = this.#entries.filter((x) => x.name !== name);
        await this.#save();
        throw e;
      };
      const remove = async (e: unknown): Promise<never> => {
        await this.unplug(p.alias).catch(() => undefined);
        throw e;
      };
      if (ovs === undefined) {
        // A Linux bridge's tap: made, then MAC, MTU, master and up in one `ip link set`; Links says which
        // failed (the making also when it cannot tell: a tap not known to be ours is left alone).
        await links.createTapWith(name, tapOpts, { ...settings, ...(bridge === undefined ? {} : { master: bridge.name }), up: true })
          .catch((e: unknown) => (failedStep(e) === 1 ? remove(e) : forget(e)));
        return name;
      }
      // Its own command, so that its failure is known to be the making's.
      await links.createTap(name, tapOpts).catch(forget);
      try {
        // An OVS port is added between the settings and `up`.
        await links.set(name, settings);
        await this.deps.ovs?.addPort({ ...ovs.port, bridge: ovs.bridge, port: name });
        await links.setUp(name, true);
      } catch (e) {
        await remove(e);
      }
      return name;
    });
  }

  /**
   * Makes, records and sets up the macvtap of `p` on its source NIC; returns its name and
   * ifindex (its char device is /dev/tapINDEX). On failure nothing of it is left.
   */
  plugMacvtap(p: MacvtapPlan): Promise<{ name: string; index: number }> {
    const { links, namer } = this.deps;
    return namer.exclusive(async () => {
      const all = await this.#lookup();
      if (!all.names.has(p.parent)) {
        throw new VirtkitError('IFACE_NOT_FOUND', `${p.path}/source/@dev: there is no network interface '${p.parent}' on this host to put a macvtap on; ` +
          'name an existing NIC', { details: { name: p.parent, path: `${p.path}/source/@dev` } });
      }
      const inUse = all.names;
      if (p.name !== undefined && inUse.has(p.name)) {
        throw new VirtkitError('IFACE_EXISTS', `${p.path}/target/@dev: a network interface named '${p.name}' exists already on this host; ` +
          'name another, or leave <target dev> out to get a macvtapN', { details: { name: p.name, path: `${p.path}/target/@dev` } });
      }
      const name = p.name ?? nextMacvtapName(inUse);
      this.#entries = [...this.#entries, { alias: p.alias, name, macvtap: true }];
      await this.#save();
      try {
        await createMacvtap(name, { parent: p.parent, mode: p.mode, mac: p.mac }, this.deps.run);
        await links.setUp(name, true);
        const link = await links.get(name);
        if (link === undefined) throw new VirtkitError('HOST_NET_FAILED', `the macvtap '${name}' vanished as it was made`);
        return { name, index: link.index };
      } catch (e) {
        await this.unplug(p.alias).catch(() => undefined);
        throw e;
      }
    });
  }

  /** Removes the tap of `alias` (if it still exists) and forgets it. */
  async unplug(alias: string): Promise<void> {
    const entry = this.#entries.find((e) => e.alias === alias);
    if (entry === undefined) return;
    await this.#delete(entry);
    this.#entries = this.#entries.filter((e) => e !== entry);
    await this.#save();
  }

  async #delete(entry: TapEntry): Promise<void> {
    const { name } = entry;
    // The port goes first: OVS would otherwise keep a port whose device is gone (and log about it).
    if (entry.ovs === true) await this.deps.ovs?.delPort(name, { ifExists: true });
    const link = entry.macvtap === true ? await this.deps.links.get(name) : await (await this.#lookup()).find(name);
    // Only a tap (or macvtap): a name someone reused for another kind of device is not ours.
    if (link?.kind === (entry.macvtap === true ? 'macvtap' : 'tun')) await this.deps.links.delete(name);
  }

  /** Removes every recorded tap (QEMU is gone); the names of those that could not be removed, with why. */
  async removeAll(): Promise<string[]> {
    const failed: string[] = [];
    for (const e of [...this.#entries].reverse()) {
      await this.#delete(e).catch((err: unknown) => failed.push(`${e.name}: ${(err as Error).message}`));
    }
    this.#entries = [];
    await this.#save().catch(() => undefined);
    return failed;
  }
}
