/**
 * `virtkit install` with the real plan builder and the host's osinfo database, end to end in an
 * in-process daemon: the test guest's ext4 root imported into the `default` pool, then
 * `--import --boot kernel=,initrd=,cmdline=` with a new disk that is a linked clone of it
 * (`--disk size=1,backing_store=...`): the guest boots from the clone. And a --cloud-init install:
 * its two phases, the seed written with xorriso, the daemon's restart into the final definition.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { installPhaseEnd } from '../../src/daemon/install/phases.js';
import { GuestShell } from '../helpers/guest-shell.js';
import { GUEST_READY_MARKER, ensureTestGuest, ensureTestRootfs, rootMountedLine } from '../helpers/guest.js';
import { cli, inProcessDaemon } from './daemon-harness.js';

test('virtkit install --import --boot kernel=,initrd=,cmdline= with a linked-clone disk boots the test guest from it', { timeout: 300_000 }, async () => {
  const d = await inProcessDaemon();
  const e = d.daemon.engine;
  const name = 'vk-real-install';
  try {
    const [g, rootfs] = await Promise.all([ensureTestGuest(), ensureTestRootfs()]);
    const imp = await cli(d.root, ['vol-import', 'default', rootfs, '--format', 'raw', '--target-format', 'raw', '--name', 'base.raw']);
    assert.equal(imp.code, 0, imp.stderr);
    const base = `${d.layout.imagesDir}/base.raw`;
    const r = await cli(d.root, ['install', '--name', name, '--osinfo', 'generic', '--memory', '256', '--import', '--virt-type', 'qemu',
      '--boot', `kernel=${g.kernel},initrd=${g.initrd},cmdline="console=ttyS0 quiet virtkit.root=/dev/vda virtkit.shell=1"`,
      '--graphics', 'none', '--network', 'none', '--disk', `size=1,backing_store=${base},backing_format=raw,bus=virtio`, '--noautoconsole']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `\nStarting install...\nAllocated '${name}.qcow2' in pool 'default'\nDomain creation completed.\n\n`);
    const vol = await e.dispatch({ kind: 'volGet', pool: 'default', volume: `${name}.qcow2` });
    assert.deepEqual([vol.format, vol.capacity, vol.backing], ['qcow2', 1 << 30, { path: base, format: 'raw' }]);
    assert.equal((await e.dispatch({ kind: 'get', name })).state, 'running');
    // Booted again with the console attached from the start (the first boot's lines went by unread).
    await e.dispatch({ kind: 'destroy', name });
    await e.dispatch({ kind: 'start', name });
    const shell = new GuestShell((await e.dispatch({ kind: 'console', name })).stream);
    await shell.waitFor(GUEST_READY_MARKER);
    assert.ok(shell.text.includes(rootMountedLine()), shell.text);
    assert.match(await shell.check('cat /proc/cmdline'), /virtkit\.root=\/dev\/vda/);
  } finally {
    try {
      if ((await e.dispatch({ kind: 'get', name }).catch(() => undefined))?.persistent === true) await e.dispatch({ kind: 'undefine', name }, { wait: 60_000 });
      const s = await e.dispatch({ kind: 'get', name }).catch(() => undefined);
      if (s !== undefined && s.state !== 'shutoff') await e.dispatch({ kind: 'destroy', name }, { wait: 60_000 });
    } finally {
      await d.close();
    }
  }
});

test('virtkit install --cloud-init: the install boot has the seed, the guest reboots, the daemon starts the final definition without it', { timeout: 300_000 }, async () => {
  const d = await inProcessDaemon();
  const e = d.daemon.engine;
  const name = 'vk-real-ci';
  try {
    const g = await ensureTestGuest();
    const r = await cli(d.root, ['install', '--name', name, '--osinfo', 'generic', '--memory', '256', '--import', '--virt-type', 'qemu',
      '--boot', `kernel=${g.kernel},initrd=${g.initrd},cmdline="console=ttyS0 quiet virtkit.shell=1"`,
      '--graphics', 'none', '--network', 'none', '--disk', 'none', '--cloud-init', 'root-password-generate=on', '--noautoconsole']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\nStarting install...\nPassword for first root login is: [A-Za-z0-9]{16}\n\nDomain is still running\. Installation may be in progress\.\n/);
    const seeds = await readdir(join(d.layout.stateDir, 'boot'));
    assert.equal(seeds.length, 1);
    assert.match(seeds[0] ?? '', /^virtinst-[a-z0-9_]{8}-cloudinit\.iso$/);
    const live = await e.dispatch({ kind: 'dumpxml', name });
    assert.ok(live.includes(seeds[0] ?? '') && live.includes('ds=nocloud') && live.includes('<on_reboot>destroy</on_reboot>'), live);
    const ended = installPhaseEnd(e.ctx, name);
    const shell = new GuestShell((await e.dispatch({ kind: 'console', name })).stream);
    await shell.waitFor(GUEST_READY_MARKER);
    shell.stream.write('reboot -f\n'); // the install phase ends as an installer's reboot
    assert.deepEqual(await ended, { stopped: 'shutdown', restarted: true });
    const final = await e.dispatch({ kind: 'dumpxml', name });
    assert.ok(!final.includes('cloudinit.iso') && !final.includes('ds=nocloud'), final);
    assert.deepEqual(await readdir(join(d.layout.stateDir, 'boot')), [], 'the seed is deleted');
  } finally {
    try {
      if ((await e.dispatch({ kind: 'get', name }).catch(() => undefined))?.persistent === true) await e.dispatch({ kind: 'undefine', name }, { wait: 60_000 });
      const s = await e.dispatch({ kind: 'get', name }).catch(() => undefined);
      if (s !== undefined && s.state !== 'shutoff') await e.dispatch({ kind: 'destroy', name }, { wait: 60_000 });
    } finally {
      await d.close();
    }
  }
});
