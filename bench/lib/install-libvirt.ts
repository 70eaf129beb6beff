/**
 * The install bench's libvirt side: Debian's libvirtd 9.0 (with virtlogd) started by hand, no systemd,
 * in a private mount namespace (bench/lib/libvirt-instance.ts: its own /etc/libvirt, /run and /var in a
 * temp dir) inside the bench's network namespace, so that its bridge, iptables rules and dnsmasq touch
 * nothing of the host's. A NAT network of its own (`PREFIX-l` on bridge `PREFIXl`), a copy of the tiny
 * image as the backing file, and per repetition Debian's `virt-install --import` with `--disk
 * size=1,backing_store=IMAGE,backing_format=qcow2` (a new qcow2 overlay in libvirt's `default` pool,
 * which virt-install makes on first use under the private /var). After each repetition (not timed):
 * `virsh destroy`, `virsh undefine --remove-all-storage`.
 */
import { accessSync, constants, openSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ReadStream } from 'node:tty';
import { findLibvirt } from './libvirt-bench.js';
import { LibvirtInstance, type LibvirtBins } from './libvirt-instance.js';
import { GUEST_ARGS } from './install-virtkit.js';
import type { GuestConsole, InstallRun } from './install-watch.js';
import { natNetworkXml } from './network-rows.js';
import { onCleanup } from './proc.js';

export const VIRT_INSTALL = '/usr/bin/virt-install';

/** libvirt's binaries and virt-install, or why the column is not run. */
export function findInstallLibvirt(): { bins: LibvirtBins; virtInstall: string } | { skipped: string } {
  const bins = findLibvirt();
  if ('skipped' in bins) return { skipped: `${bins.skipped}; bash bench/install-setup.sh installs it` };
  try {
    accessSync(VIRT_INSTALL, constants.X_OK);
  } catch {
    return { skipped: `no ${VIRT_INSTALL} (Debian's virtinst); bash bench/install-setup.sh installs it` };
  }
  const drivers = '/usr/lib/x86_64-linux-gnu/libvirt/connection-driver';
  for (const d of ['libvirt_driver_qemu.so', 'libvirt_driver_network.so', 'libvirt_driver_storage.so']) {
    try {
      accessSync(join(drivers, d), constants.R_OK);
    } catch {
      return { skipped: `no ${join(drivers, d)} (libvirt-daemon); bash bench/install-setup.sh installs it` };
    }
  }
  return { bins, virtInstall: VIRT_INSTALL };
}

export class LibvirtInstallSide {
  readonly network: string;
  readonly bridge: string;
  #dropNetwork: (() => void) | undefined;

  private constructor(readonly lv: LibvirtInstance, readonly virtInstall: string, prefix: string) {
    this.network = `${prefix}-l`;
    this.bridge = `${prefix}l`;
  }

  static async start(bins: LibvirtBins, virtInstall: string, netns: readonly string[], prefix: string, subnet: string, image: string): Promise<LibvirtInstallSide> {
    const lv = await LibvirtInstance.create(bins);
    const side = new LibvirtInstallSide(lv, virtInstall, prefix);
    // Before lv's own clean-up (last in, first out): libvirtd leaves its networks' dnsmasq running when it stops.
    side.#dropNetwork = onCleanup(() => side.removeNetwork());
    try {
      await mkdir(join(lv.dir, 'base'));
      await copyFile(image, side.image);
      await lv.startDaemon(netns);
      const xml = join(lv.dir, 'xml', 'net.xml');
      await writeFile(xml, natNetworkXml(side.network, side.bridge, subnet));
      await lv.virsh(['net-define', xml]);
      await lv.virsh(['net-start', side.network]);
      return side;
    } catch (e) {
      // Not run, then: nothing of it stays while virtkit's side runs on.
      await side.dispose().catch(() => undefined);
      throw e;
    }
  }

  /** The backing file, at the same path inside libvirtd's mount namespace and outside. */
  get image(): string {
    return join(this.lv.dir, 'base', 'tiny.qcow2');
  }

  /** libvirt_leaseshelper's JSON list of the network's leases (what `virsh net-dhcp-leases` reads). */
  get leaseFile(): string {
    return join(this.lv.dir, 'var', 'lib', 'libvirt', 'dnsmasq', `${this.bridge}.status`);
  }

  run(name: string, mac: string): InstallRun {
    const args = ['--connect', this.lv.uri, '--name', name, ...GUEST_ARGS,
      '--disk', `size=1,backing_store=${this.image},backing_format=qcow2`, '--network', `network=${this.network},mac=${mac}`];
    const pidFile = join(this.lv.dir, 'run', 'libvirt', 'qemu', `${name}.pid`);
    return { cmd: this.virtInstall, args, env: { PATH: process.env['PATH'] ?? '', LC_ALL: 'C' }, name, leaseFile: this.leaseFile, mac, pidFiles: () => [pidFile],
      openConsole: () => this.console(name) };
  }

  /**
   * The guest's `<console type='pty'>`: its tty from libvirt's status XML (written once QEMU runs,
   * before the guest's CPUs are resumed), read directly (virsh console is interactive). QEMU made
   * the pty raw; nothing else reads it.
   */
  async console(name: string): Promise<GuestConsole | undefined> {
    const status = await readFile(join(this.lv.dir, 'run', 'libvirt', 'qemu', `${name}.xml`), 'utf8').catch(() => '');
    const tty = /<console type='pty' tty='(\/dev\/pts\/\d+)'/.exec(status)?.[1];
    if (tty === undefined) return undefined;
    const fd = openSync(tty, constants.O_RDWR | constants.O_NOCTTY);
    const stream = new ReadStream(fd);
    stream.on('error', () => undefined); // EIO once QEMU closes its side
    return { onData: (l) => stream.on('data', (d: Buffer) => l(d)), close: () => stream.destroy() };
  }

  async remove(name: string): Promise<void> {
    const state = (await this.lv.virsh(['domstate', name], true)).stdout.trim();
    if (state === '') return;
    if (state !== 'shut off') await this.lv.virsh(['destroy', name]);
    await this.lv.virsh(['undefine', name, '--remove-all-storage']);
  }

  async removeNetwork(): Promise<void> {
    this.#dropNetwork?.();
    if (this.lv.child?.exitCode !== null) return;
    await this.lv.destroyAll().catch(() => undefined);
    await this.lv.virsh(['net-destroy', this.network], true);
    await this.lv.virsh(['net-undefine', this.network], true);
  }

  async dispose(): Promise<void> {
    await this.removeNetwork();
    await this.lv.dispose();
  }
}
