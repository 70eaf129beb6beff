// The test guest on disks, through the daemon engine with the real QEMU driver:
// it boots from a qcow2 overlay of its ext4 root image and writes through the
// console shell; after a clean ACPI power-off the base image's bytes are
// unchanged and the overlay holds the writes (read with qemu-img and debugfs,
// nothing is mounted). And the shell reports the virtio disks in /sys/block
// with their sizes, which the hotplug and resize tests build on.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { assertNoLeftovers, createHarness } from './lifecycle-harness.js';
import type { Harness } from './lifecycle-harness.js';
import {
  GUEST_APPEND, GUEST_READY_MARKER, GUEST_ROOT_APPEND, GUEST_SHELL, ensureTestRootfs, guestDomainXml,
  rootMountedLine, rootUnmountedLine, virtioDiskXml,
} from '../helpers/guest.js';
import { GuestShell } from '../helpers/guest-shell.js';
import { until } from '../helpers/wait.js';

const execFileP = promisify(execFile);
// debugfs and dumpe2fs live in /usr/sbin, which a normal user's PATH may lack.
const toolEnv = { ...process.env, PATH: `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin` };

async function tool(cmd: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return execFileP(cmd, args, { env: toolEnv, maxBuffer: 16 << 20 });
}

async function sha256(path: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
}

/** A file's content in an ext4 image, read by debugfs without mounting; undefined when there is no such file. */
async function debugfsCat(image: string, path: string): Promise<string | undefined> {
  const { stdout, stderr } = await tool('debugfs', '-R', `cat ${path}`, image);
  if (/File not found/.test(stderr)) return undefined;
  assert.doesNotMatch(stderr, /error|bad|corrupt/i, `debugfs on ${image}`);
  return stdout;
}

async function boot(h: Harness, name: string, append: string, devices: string): Promise<GuestShell> {
  await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml(name, { append, devices }) });
  await h.engine.dispatch({ kind: 'start', name });
  await h.remember(name);
  const shell = new GuestShell((await h.engine.dispatch({ kind: 'console', name })).stream);
  await shell.waitFor(GUEST_READY_MARKER);
  return shell;
}

/** ACPI power-off (the guest unmounts its root first) and the domain's end as shutoff/shutdown. */
async function powerOff(h: Harness, name: string): Promise<void> {
  await h.engine.dispatch({ kind: 'shutdown', name });
  await until(`${name} shutoff/shutdown`, async () => {
    const d = await h.engine.dispatch({ kind: 'get', name });
    return `${d.state}/${d.reason}` === 'shutoff/shutdown';
  });
}

test('a guest boots from a qcow2 overlay of its ext4 root; the base stays unchanged, the overlay holds the writes', { timeout: 300_000 }, async () => {
  const rootfs = await ensureTestRootfs();
  const dir = await mkdtemp(join(tmpdir(), 'vk-rootfs-'));
  const h = await createHarness();
  try {
    // A copy of the shared cached image: a rebuild of the cache must not change the base under this test.
    const base = join(dir, 'base.img');
    await tool('cp', '--sparse=always', rootfs, base);
    const baseSum = await sha256(base);
    const overlay = join(dir, 'overlay.qcow2');
    await tool('qemu-img', 'create', '-q', '-f', 'qcow2', '-b', base, '-F', 'raw', overlay);

    const shell = await boot(h, 'cow', GUEST_ROOT_APPEND, virtioDiskXml(overlay, 'vda', 'qcow2'));
    assert.ok(shell.text.includes(rootMountedLine()), `the guest mounted /dev/vda read-write:\n${shell.text}`);
    assert.match(shell.text, /virtkit-root: boot 1 of this disk/, 'the disk\'s /virtkit/run ran');
    const token = `virtkit-cow-${randomUUID()}`;
    await shell.check(`echo ${token} > /cow-proof.txt && sync`);
    assert.equal(await shell.check('cat /cow-proof.txt'), `${token}\n`);
    assert.equal(await shell.check('cat /proc/mounts | grep " / "'), '/dev/vda / ext4 rw,relatime 0 0\n', 'the shell runs on the root disk');

    await powerOff(h, 'cow');
    assert.ok(shell.text.includes(rootUnmountedLine()), `the guest unmounted its root before powering off:\n${shell.text}`);
    await assertNoLeftovers(h);

    assert.equal(await sha256(base), baseSum, 'the base image is unchanged');
    const info = JSON.parse((await tool('qemu-img', 'info', '--output=json', overlay)).stdout) as Record<string, unknown>;
    assert.equal(info['format'], 'qcow2');
    assert.equal(info['backing-filename'], base);
    assert.equal(info['backing-filename-format'], 'raw');

    const flat = join(dir, 'overlay.raw');
    await tool('qemu-img', 'convert', '-O', 'raw', overlay, flat);
    // ext4 with a journal says "clean" while mounted too; needs_recovery is what an unmount clears.
    const sb = (await tool('dumpe2fs', '-h', flat)).stdout;
    assert.match(sb, /^Filesystem state:\s+clean$/m);
    assert.match(sb, /^Filesystem features:.*\bhas_journal\b/m);
    assert.doesNotMatch(sb, /^Filesystem features:.*\bneeds_recovery\b/m, 'unmounted cleanly: nothing left in the journal');
    assert.equal(await debugfsCat(flat, '/cow-proof.txt'), `${token}\n`, 'the overlay holds the shell\'s write');
    assert.equal(await debugfsCat(flat, '/virtkit/boots'), '1\n', 'the overlay holds /virtkit/run\'s write');
    // debugfs reads the base too (its /virtkit/run is there), and finds neither write.
    assert.match((await debugfsCat(base, '/virtkit/run')) ?? '', /^#!\/bin\/sh/);
    assert.equal(await debugfsCat(base, '/cow-proof.txt'), undefined);
    assert.equal(await debugfsCat(base, '/virtkit/boots'), undefined);
  } finally {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  }
  assert.ok(!existsSync(dir), `${dir} left behind`);
});

test('the console shell lists the virtio disks in /sys/block with their sizes (no root disk)', { timeout: 300_000 }, async () => {
  const rootfs = await ensureTestRootfs();
  const dir = await mkdtemp(join(tmpdir(), 'vk-rootfs-'));
  const h = await createHarness();
  try {
    // An overlay larger than its 32 MiB base, and an empty raw disk: sizes the guest can only learn from QEMU.
    const overlay = join(dir, 'overlay.qcow2');
    await tool('qemu-img', 'create', '-q', '-f', 'qcow2', '-b', rootfs, '-F', 'raw', overlay, '48M');
    const scratch = join(dir, 'scratch.raw');
    await tool('qemu-img', 'create', '-q', '-f', 'raw', scratch, '8M');

    const shell = await boot(h, 'disks', `${GUEST_APPEND} ${GUEST_SHELL}`,
      virtioDiskXml(overlay, 'vda', 'qcow2') + virtioDiskXml(scratch, 'vdb'));
    assert.ok(!shell.text.includes('virtkit-guest: mounted'), 'no root disk without virtkit.root');
    const disks = (await shell.check('ls /sys/block')).split(/\s+/).filter((d) => d.startsWith('vd'));
    assert.deepEqual(disks, ['vda', 'vdb']);
    // /sys/block/*/size counts 512-byte sectors.
    assert.equal(await shell.check('cat /sys/block/vda/size'), `${(48 << 20) / 512}\n`);
    assert.equal(await shell.check('cat /sys/block/vdb/size'), `${(8 << 20) / 512}\n`);
    assert.equal(await shell.check('blockdev --getsize64 /dev/vdb'), `${8 << 20}\n`);
    const failed = await shell.run('cat /sys/block/vdc/size');
    assert.notEqual(failed.code, 0, 'a disk that is not there has no size');

    await powerOff(h, 'disks');
    assert.ok(!shell.text.includes('virtkit-guest: unmounted'), 'nothing to unmount');
    await assertNoLeftovers(h);
  } finally {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  }
  assert.ok(!existsSync(dir), `${dir} left behind`);
});
