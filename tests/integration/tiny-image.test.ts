/**
 * The tiny bootable disk image (scripts/build-tiny-image.sh, `virtkit image build`; docs/test-guest.md,
 * "The tiny disk image") against an in-process daemon: `image build` puts it into the `default` pool and
 * prints the volume's path, a second run reuses it; a linked clone of it (vol-clone --linked) boots under
 * TCG from the disk alone, with the domain XML virt-install gives an --import of a generic Linux (q35,
 * virtio disk and NIC, SATA cdrom, no <kernel>), gets a DHCP lease on a virtkit NAT network and powers off
 * on `shutdown`, its root file system left clean. `--force` is refused while the clone is backed by the
 * volume, then replaces it. After the file: no bridge, tap, dnsmasq or nft table of the test is left.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { GUEST_READY_MARKER, leaseLine } from '../helpers/guest.js';
import { GuestShell } from '../helpers/guest-shell.js';
import { linksNamed } from '../helpers/net-lab.js';
import { processesMentioning } from '../helpers/qemu-spawn.js';
import { until } from '../helpers/wait.js';
import { cli, inProcessDaemon, type InProcess } from './daemon-harness.js';

const run = promisify(execFile);
const tag = `vkti${randomBytes(2).toString('hex')}`;
const NET = `${tag}nat`;
const SUB = `10.237.${randomInt(10, 250)}`;
const MAC = `52:54:00:7e:${tag.slice(4, 6)}:${tag.slice(6, 8)}`;
const VM = `${tag}-vm`;

const netXml = `<network>
  <name>${NET}</name>
  <forward mode='nat'/>
  <bridge name='${tag}br'/>
  <ip address='${SUB}.1' netmask='255.255.255.0'>
    <dhcp><range start='${SUB}.100' end='${SUB}.199'/></dhcp>
  </ip>
</network>`;

/**
 * The domain XML virt-install 4.1 printed for an `--import --graphics none` of a Linux on q35 (../shared's
 * 01-import-debian-headless case: virtio disk and NIC on pcie-root-ports, a pty console, the guest agent
 * channel, memballoon, rng), with an empty SATA cdrom added, TCG and 256 MiB: the image boots with no
 * <kernel>, from the disk's boot loader.
 */
const domainXml = (disk: string): string => `<domain type='qemu'>
  <name>${VM}</name>
  <memory unit='MiB'>256</memory>
  <currentMemory unit='MiB'>256</currentMemory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <boot dev='hd'/>
  </os>
  <features><acpi/><apic/></features>
  <clock offset='utc'>
    <timer name='rtc' tickpolicy='catchup'/>
    <timer name='pit' tickpolicy='delay'/>
    <timer name='hpet' present='no'/>
  </clock>
  <pm><suspend-to-mem enabled='no'/><suspend-to-disk enabled='no'/></pm>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='${disk}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <target dev='sda' bus='sata'/>
      <readonly/>
    </disk>
    <controller type='usb' model='qemu-xhci' ports='15'/>
    <controller type='pci' model='pcie-root'/>
${'    <controller type=\'pci\' model=\'pcie-root-port\'/>\n'.repeat(14)}    <interface type='network'>
      <source network='${NET}'/>
      <mac address='${MAC}'/>
      <model type='virtio'/>
    </interface>
    <console type='pty'/>
    <channel type='unix'>
      <source mode='bind'/>
      <target type='virtio' name='org.qemu.guest_agent.0'/>
    </channel>
    <memballoon model='virtio'/>
    <rng model='virtio'>
      <backend model='random'>/dev/urandom</backend>
    </rng>
  </devices>
</domain>
`;

async function sha256(path: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
}

/** The ext4 superblock of the partition at 1 MiB of a qcow2 disk: whether it was left clean. */
async function rootFsState(qcow2: string): Promise<{ clean: boolean; needsRecovery: boolean }> {
  const dir = await mkdtemp(join(tmpdir(), 'vk-tiny-'));
  try {
    const raw = join(dir, 'flat.raw');
    await run('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', qcow2, raw]);
    const fh = await open(raw, 'r');
    const sb = Buffer.alloc(1024);
    await fh.read(sb, 0, 1024, (1 << 20) + 1024);
    await fh.close();
    assert.equal(sb.readUInt16LE(0x38), 0xef53, 'an ext4 superblock at 1 MiB + 1 KiB');
    // s_state bit 0: cleanly unmounted; s_feature_incompat 0x4: the journal needs replaying.
    return { clean: (sb.readUInt16LE(0x3a) & 1) === 1, needsRecovery: (sb.readUInt32LE(0x60) & 4) !== 0 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the tiny disk image', { timeout: 600_000 }, () => {
  let d: InProcess;
  const vk = async (...argv: string[]): Promise<{ stdout: string; stderr: string }> => {
    const r = await cli(d.root, argv);
    assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
    return r;
  };
  before(async () => {
    d = await inProcessDaemon();
  });
  after(async () => {
    const engine = d.daemon.engine;
    await engine.dispatch({ kind: 'destroy', name: VM }).catch(() => undefined);
    await engine.dispatch({ kind: 'undefine', name: VM }).catch(() => undefined);
    await engine.dispatch({ kind: 'netDestroy', network: NET }).catch(() => undefined);
    await engine.dispatch({ kind: 'netUndefine', network: NET }).catch(() => undefined);
    await d.close();
    assert.deepEqual(await linksNamed(tag), [], 'no bridge or tap of the test is left');
    assert.doesNotMatch((await run('nft', ['list', 'tables'])).stdout, new RegExp(tag), 'no nft table of the test is left');
    assert.deepEqual(processesMentioning(`/${NET}.conf`), [], 'no dnsmasq of the test is left');
  });

  it('refuses an unknown action before it does anything', async () => {
    const r = await cli(d.root, ['image', 'frobnicate']);
    assert.deepEqual(r, { code: 1, stdout: '', stderr: "error: unknown image action 'frobnicate': the only one is 'build'\n" });
  });

  it('image build puts it into the pool; a linked clone boots from the disk alone, gets a lease and powers off', async () => {
    const engine = d.daemon.engine;
    const path = join(d.layout.imagesDir, 'tiny.qcow2');
    const built = await vk('image', 'build');
    assert.equal(built.stdout, `${path}\n\n`);
    assert.match(built.stderr, /Vol tiny\.qcow2 imported into pool default from \/\S+\/tiny\.qcow2\n/);
    const again = await vk('--json', 'image', 'build');
    assert.equal(again.stderr, '', 'a reused volume needs no build');
    const info = JSON.parse(again.stdout) as { path: string; reused: boolean; volume: { format: string; backing: unknown } };
    assert.deepEqual([info.path, info.reused, info.volume.format, info.volume.backing], [path, true, 'qcow2', null]);
    const baseSum = await sha256(path);

    await vk('vol-clone', 'tiny.qcow2', `${VM}.qcow2`, '--pool', 'default', '--linked');
    const clone = join(d.layout.imagesDir, `${VM}.qcow2`);
    await engine.dispatch({ kind: 'netDefine', xml: netXml });
    await engine.dispatch({ kind: 'netStart', network: NET });
    await engine.dispatch({ kind: 'define', xml: domainXml(clone) });
    await engine.dispatch({ kind: 'start', name: VM });
    const shell = new GuestShell((await engine.dispatch({ kind: 'console', name: VM })).stream);
    await shell.waitFor(GUEST_READY_MARKER, 120_000);
    const ip = await until('a DHCP lease on eth0', () => leaseLine('eth0').exec(shell.text)?.[1], 120_000);
    assert.ok(ip.startsWith(`${SUB}.`), ip);
    assert.match(shell.text, /SYSLINUX 6\.04/, 'extlinux on the disk booted it');
    // The root is the disk's ext4 partition (by UUID), mounted read-write; the kernel came from the disk's /boot.
    assert.match(await shell.check('cat /proc/mounts'), /^\/dev\/vda1 \/ ext4 rw[, ]/m);
    assert.match(await shell.check('cat /proc/cmdline'), /^BOOT_IMAGE=\/boot\/vmlinuz root=UUID=/);
    assert.equal(await shell.check('hostname'), 'tiny\n');
    const addrs = await engine.dispatch({ kind: 'domIfAddr', name: VM });
    assert.deepEqual(addrs.map((a) => [a.mac, a.addrs]), [[MAC, [{ type: 'ipv4', addr: ip, prefix: 24 }]]]);
    const leases = await engine.dispatch({ kind: 'netLeases', network: NET });
    assert.deepEqual(leases.map((l) => [l.mac, l.ip, l.hostname]), [[MAC, ip, 'tiny']]);
    await shell.check(`ping -c 1 -W 5 ${SUB}.1`);

    await engine.dispatch({ kind: 'shutdown', name: VM });
    await until(`${VM} shut off`, async () => (await engine.dispatch({ kind: 'get', name: VM })).state === 'shutoff', 60_000);
    assert.match(shell.text, /virtkit-guest: power button pressed, powering off/);
    assert.deepEqual(await rootFsState(clone), { clean: true, needsRecovery: false }, 'the power button left the root clean');
    assert.equal(await sha256(path), baseSum, 'the pool volume is unchanged: the guest wrote to its clone');
  });

  it('--force is refused while a linked clone is backed by the volume, then replaces it', async () => {
    const refused = await cli(d.root, ['--json', 'image', 'build', '--force']);
    assert.equal(refused.code, 1);
    const err = JSON.parse(refused.stderr) as { error: { code: string; message: string; details: { clones: string[] } } };
    assert.equal(err.error.code, 'OPERATION_INVALID');
    assert.deepEqual(err.error.details.clones, [`${VM}.qcow2`]);
    await d.daemon.engine.dispatch({ kind: 'undefine', name: VM });
    await vk('vol-delete', `${VM}.qcow2`, '--pool', 'default');
    const forced = await vk('--json', 'image', 'build', '--force');
    const info = JSON.parse(forced.stdout) as { path: string; reused: boolean; image: string };
    assert.deepEqual([info.path, info.reused], [join(d.layout.imagesDir, 'tiny.qcow2'), false]);
    assert.match(forced.stderr, /build-tiny-image: building /, '--force built the image afresh');
  });
});
