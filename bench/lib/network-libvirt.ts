/**
 * The network bench's libvirt side: Debian's libvirtd 9.0 (with virtlogd) started by hand as
 * libvirt-instance.ts starts it (a private mount namespace: its own /etc/libvirt, /run, /var, passwd
 * and group in a temp dir), inside a network namespace of the bench's own (`ip netns add vkbl<id>`, lo
 * up), so that its bridges, iptables rules, dnsmasq and the guests' QEMU exist only there and nothing
 * of the host's network changes. API-level steps go through one long-lived `virsh` shell
 * (virsh-shell.ts: its process start is not timed), the process rows through whole `virsh` processes.
 * Guests are the same networked test guest as virtkit's, their console the serial port's unix socket.
 * Names: `vkbl<id>` (namespace, networks `-s` / `-g`, bridges `vkbl<id>s` / `g`, guests), subnets
 * 10.245.N.0/24 and 10.246.N.0/24. Everything is removed at the end, on an error and on a signal.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConsoleConnection } from '../../src/client/websocket.js';
import { findLibvirt, which } from './libvirt-bench.js';
import { LibvirtInstance, type LibvirtBins } from './libvirt-instance.js';
import { NetNs } from './netns.js';
import { libvirtNetGuestXml, WatchedConsole } from './network-guest.js';
import type { NetworkSide, SideNames } from './network-rows.js';
import { now, onCleanup, sleep, waitUntil } from './proc.js';
import { tryConnect } from './qmp.js';
import type { VirshShell } from './virsh-shell.js';

const id = randomBytes(2).toString('hex');
const n = randomInt(10, 250);
export const LIBVIRT_PREFIX = `vkbl${id}`;
export const LIBVIRT_NAMES: SideNames = { prefix: LIBVIRT_PREFIX, startSubnet: `10.245.${n}`, guestSubnet: `10.246.${n}`, macBytes: `b7:${id.slice(0, 2)}` };

const DRIVERS = '/usr/lib/x86_64-linux-gnu/libvirt/connection-driver';

/** libvirt's daemons, virsh, its QEMU and network drivers, dnsmasq and iptables; or why the column is not run. */
export function findNetworkLibvirt(): LibvirtBins | { skipped: string } {
  const bins = findLibvirt();
  if ('skipped' in bins) return { skipped: `${bins.skipped}; bash bench/install-setup.sh installs it` };
  for (const d of ['libvirt_driver_qemu.so', 'libvirt_driver_network.so']) {
    try {
      accessSync(join(DRIVERS, d), constants.R_OK);
    } catch {
      return { skipped: `no ${join(DRIVERS, d)} (libvirt-daemon); bash bench/install-setup.sh installs it` };
    }
  }
  for (const tool of ['dnsmasq', 'iptables', 'ip']) {
    if (which(tool, []) === undefined) return { skipped: `no ${tool}, which libvirt's network driver runs` };
  }
  return bins;
}

/** The serial port's unix socket as a console (QEMU listens; retried until it accepts). */
async function serialConsole(path: string, timeoutMs = 10_000): Promise<ConsoleConnection> {
  const deadline = now() + timeoutMs;
  for (;;) {
    const s = await tryConnect(path);
    if (s) {
      s.on('error', () => undefined);
      const closed = new Promise<string>((resolve) => s.once('close', () => resolve('serial socket closed')));
      return { write: (d) => { s.write(d); }, onData: (l) => { s.on('data', l); }, closed, close: () => s.destroy() };
    }
    if (now() > deadline) throw new Error(`the serial socket ${path} did not accept within ${timeoutMs} ms`);
    await sleep(5);
  }
}

export class LibvirtNetworkSide implements NetworkSide {
  readonly names = LIBVIRT_NAMES;
  readonly #networks = new Set<string>();
  readonly #guests = new Set<string>();
  readonly #drop: () => void;
  /** Detaches that had returned before the NIC was gone from the domain (settle had to wait). */
  lateDetaches = 0;

  private constructor(readonly ns: NetNs, readonly lv: LibvirtInstance, readonly sh: VirshShell) {
    // Before lv's and the namespace's own clean-up (last in, first out): libvirtd leaves a network's dnsmasq running when it stops.
    this.#drop = onCleanup(() => this.removeAll());
  }

  /** The namespace, libvirtd inside it, its virsh shell; on a failure, whatever was made is removed and the error thrown. */
  static async start(bins: LibvirtBins): Promise<LibvirtNetworkSide> {
    const ns = await NetNs.create(LIBVIRT_PREFIX);
    let lv: LibvirtInstance | undefined;
    try {
      lv = await LibvirtInstance.create(bins);
      await lv.startDaemon(ns.exec);
      return new LibvirtNetworkSide(ns, lv, await lv.shell());
    } catch (e) {
      await lv?.dispose().catch(() => undefined);
      await ns.dispose().catch(() => undefined);
      throw e;
    }
  }

  async #xmlFile(name: string, xml: string): Promise<string> {
    const f = join(this.lv.dir, 'xml', `${name}.xml`);
    await writeFile(f, xml);
    return f;
  }

  async defineNetwork(name: string, xml: string): Promise<void> {
    await this.sh.run(`net-define ${await this.#xmlFile(`net-${name}`, xml)}`);
    this.#networks.add(name);
  }

  async undefineNetwork(name: string): Promise<void> {
    await this.sh.run(`net-undefine ${name}`);
    this.#networks.delete(name);
  }

  async netStart(name: string): Promise<void> {
    await this.sh.run(`net-start ${name}`);
  }

  async netDestroy(name: string): Promise<void> {
    await this.sh.run(`net-destroy ${name}`);
  }

  async netStartProcess(name: string): Promise<number> {
    return (await this.lv.virsh(['net-start', name])).ms;
  }

  async netDestroyProcess(name: string): Promise<number> {
    return (await this.lv.virsh(['net-destroy', name])).ms;
  }

  async startGuest(name: string, network: string, mac: string): Promise<{ t0: number; console: WatchedConsole }> {
    const sock = this.lv.serialSocket(name);
    await this.sh.run(`define ${await this.#xmlFile(name, await libvirtNetGuestXml(name, network, mac, sock))}`);
    this.#guests.add(name);
    const t0 = now();
    await this.sh.run(`start ${name}`);
    return { t0, console: new WatchedConsole(await serialConsole(sock)) };
  }

  async removeGuest(name: string): Promise<void> {
    await this.sh.run(`destroy ${name}`);
    await this.sh.run(`undefine ${name}`);
    this.#guests.delete(name);
  }

  /** virsh's attach-interface: one virDomainAttachDeviceFlags with the `<interface>` it builds. */
  async attach(guest: string, network: string, mac: string): Promise<void> {
    await this.sh.run(`attach-interface --domain ${guest} --type network --source ${network} --mac ${mac} --model virtio --live`);
  }

  /**
   * virsh's detach-interface: the domain's XML read (to find the MAC), then virDomainDetachDeviceFlags,
   * which waits for QEMU's DEVICE_DELETED at most 5 s and then returns, removal still pending.
   */
  async detach(guest: string, _network: string, mac: string): Promise<void> {
    await this.sh.run(`detach-interface --domain ${guest} --type network --mac ${mac} --live`);
  }

  async settle(guest: string, macs: readonly string[]): Promise<void> {
    const present = async (): Promise<boolean> => {
      const list = (await this.sh.run(`domiflist ${guest}`)).out.toLowerCase();
      return macs.some((m) => list.includes(m.toLowerCase()));
    };
    if (!(await present())) return;
    this.lateDetaches++;
    await waitUntil(`libvirt to remove ${macs.join(', ')} from ${guest}`, async () => !(await present()), 60_000, 50);
  }

  /** Guests and networks of this side (whole virsh processes: the shell may be what failed). */
  async removeAll(): Promise<void> {
    this.#drop();
    if (this.lv.child?.exitCode !== null) return;
    for (const g of this.#guests) {
      await this.lv.virsh(['destroy', g], true);
      await this.lv.virsh(['undefine', g], true);
    }
    for (const net of this.#networks) {
      await this.lv.virsh(['net-destroy', net], true);
      await this.lv.virsh(['net-undefine', net], true);
    }
    this.#guests.clear();
    this.#networks.clear();
  }

  async dispose(): Promise<void> {
    await this.removeAll();
    await this.lv.dispose();
    await this.ns.dispose();
  }
}
