/**
 * The install bench's virtkit side: a rooted `virtkitd` started inside the bench's network namespace,
 * the tiny image put into its `default` pool (`virtkit image build`: the cached image, imported), a
 * NAT network of its own (bridge and subnet apart from libvirt's side and from any `default`), and
 * per repetition `virtkit install --import` of a linked clone of the image as a whole CLI process.
 * After each repetition (not timed): destroy, undefine, the clone's volume deleted.
 */
import { readdirSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { dnsmasqPaths } from '../../src/core/network/dnsmasq.js';
import type { InstallRun } from './install-watch.js';
import { natNetworkXml } from './network-rows.js';
import { onCleanup } from './proc.js';
import { VIRTKIT, VirtkitInstance } from './virtkit-instance.js';

/** What both sides install: the same guest settings, each side's own network. */
export const GUEST_ARGS = ['--memory', '256', '--vcpus', '1', '--osinfo', 'linux2022', '--virt-type', 'qemu', '--import', '--graphics', 'none', '--noautoconsole'] as const;

export class VirtkitInstallSide {
  readonly network: string;

  private constructor(readonly vk: VirtkitInstance, readonly prefix: string, readonly subnet: string) {
    this.network = `${prefix}-v`;
  }

  /** Starts the daemon behind `netns` (`ip netns exec NS`), imports the image and starts the network `PREFIX-v` on `SUBNET.0/24`. */
  static async start(netns: readonly string[], prefix: string, subnet: string): Promise<VirtkitInstallSide> {
    const vk = await VirtkitInstance.create();
    const side = new VirtkitInstallSide(vk, prefix, subnet);
    // Runs before vk's own clean-up (last in, first out): the daemon leaves networks running when it stops.
    const drop = onCleanup(() => side.removeNetwork());
    side.#dropNetwork = drop;
    // The temp dir is 0700; the network's dnsmasq drops to an unprivileged user and must get through it.
    await chmod(vk.root, 0o711);
    await vk.startDaemon({}, undefined, netns);
    const r = await vk.cli(['image', 'build']);
    if (r.code !== 0) throw new Error(`virtkit image build: ${r.stderr}`);
    await vk.client.defineNetwork(natNetworkXml(side.network, `${prefix}v`, subnet));
    await vk.client.networkAction(side.network, 'start');
    return side;
  }

  #dropNetwork: (() => void) | undefined;

  get leaseFile(): string {
    return dnsmasqPaths(join(this.vk.root, 'run', 'network'), this.network).leaseFile;
  }

  run(name: string, mac: string): InstallRun {
    const args = [VIRTKIT, '--root', this.vk.root, 'install', '--name', name, ...GUEST_ARGS,
      '--disk', 'vol=default/tiny.qcow2,linked=on', '--network', `network=${this.network},mac=${mac}`];
    return { cmd: process.execPath, args, env: { PATH: process.env['PATH'] ?? '' }, name, leaseFile: this.leaseFile, mac, pidFiles: () => this.pidFiles(),
      openConsole: () => this.vk.client.console(name) };
  }

  /** Each domain's runtime dir has its QEMU's pid file (the dir is named by the UUID). */
  pidFiles(): string[] {
    const d = join(this.vk.root, 'run', 'd');
    try {
      return readdirSync(d).map((u) => join(d, u, 'qemu.pid'));
    } catch {
      return [];
    }
  }

  /** The guest gone: destroyed, undefined, its linked clone deleted. */
  async remove(name: string): Promise<void> {
    const c = this.vk.client;
    const d = await c.getDomain(name).catch(() => undefined);
    if (d === undefined) return;
    if (d.state !== 'shutoff') await c.action(name, 'destroy', {});
    await c.undefineDomain(name);
    await c.deleteVolume('default', `${name}.qcow2`).catch(() => undefined);
  }

  async removeNetwork(): Promise<void> {
    this.#dropNetwork?.();
    if (this.vk.child?.exitCode !== null) return;
    await this.vk.destroyAll().catch(() => undefined);
    const active = await this.vk.client.listNetworks({ active: true });
    if (active.some((n) => n.name === this.network)) await this.vk.client.networkAction(this.network, 'destroy');
    await this.vk.client.undefineNetwork(this.network).catch(() => undefined);
  }

  async dispose(): Promise<void> {
    await this.removeNetwork();
    await this.vk.dispose();
  }
}
