/**
 * `virtkit install --location ISO` end to end in an in-process daemon: an ISO made with xorriso that has
 * a Debian 11 netinst's volume id (`Debian 11.9.0 amd64 n`, as ../shared's debian-11-netinst.iso) and
 * holds the test guest's kernel and initramfs where osinfo-db says Debian 11's media keep them
 * (install.amd/vmlinuz, install.amd/initrd.gz). The OS is detected from the media (detect=on,require=on),
 * the kernel and initrd are copied out of the ISO with xorriso into the boot dir, the install phase boots
 * them with --extra-args as the command line, and the copies are gone once the install phase ends.
 * Also the extraction itself (src/host/iso/extract.ts): byte for byte, a file the image lacks, a target
 * that exists.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { VirtkitError } from '../../src/core/errors.js';
import { installPhaseEnd } from '../../src/daemon/install/phases.js';
import { extractFromIso } from '../../src/host/iso/extract.js';
import { GuestShell } from '../helpers/guest-shell.js';
import { GUEST_READY_MARKER, GUEST_SHELL, ensureTestGuest, type TestGuest } from '../helpers/guest.js';
import { isoDescriptors } from '../helpers/iso-read.js';
import { cli, inProcessDaemon } from './daemon-harness.js';

const run = promisify(execFile);
const VOLUME_ID = 'Debian 11.9.0 amd64 n';

let dir: string;
let iso: string;
let guest: TestGuest;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'virtkit-location-'));
  guest = await ensureTestGuest();
  iso = join(dir, 'netinst.iso');
  await run('xorriso', ['-as', 'mkisofs', '-V', VOLUME_ID, '-J', '-r', '-o', iso, '-graft-points',
    `install.amd/vmlinuz=${guest.kernel}`, `install.amd/initrd.gz=${guest.initrd}`]);
  assert.equal(isoDescriptors(await readFile(iso)).volumeId, VOLUME_ID);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('extractFromIso (real xorriso)', { timeout: 60_000 }, () => {
  it('copies a file out byte for byte, 0644; refuses a file the image lacks and a target that exists, leaving nothing', async () => {
    const out = await mkdtemp(join(dir, 'out-'));
    await extractFromIso(iso, 'install.amd/vmlinuz', join(out, 'k'));
    assert.deepEqual(await readFile(join(out, 'k')), await readFile(guest.kernel));
    assert.equal((await stat(join(out, 'k'))).mode & 0o777, 0o644);
    await assert.rejects(extractFromIso(iso, '/install.amd/nope', join(out, 'n')),
      (e: unknown) => e instanceof VirtkitError && e.code === 'INVALID_ARGUMENT' && /no such file/.test(e.message));
    await writeFile(join(out, 'mine'), 'not ours');
    await assert.rejects(extractFromIso(iso, '/install.amd/initrd.gz', join(out, 'mine')), (e: unknown) => (e as NodeJS.ErrnoException).code === 'EEXIST');
    assert.equal(await readFile(join(out, 'mine'), 'utf8'), 'not ours');
    assert.deepEqual((await readdir(out)).sort(), ['k', 'mine'], 'no temp file is left');
  });
});

describe('virtkit install --location ISO', { timeout: 300_000 }, () => {
  it('detects Debian 11 from the media, boots the install phase from the kernel copied out of it, and removes the copies after', async () => {
    const d = await inProcessDaemon();
    const e = d.daemon.engine;
    const name = 'vk-location';
    const boot = join(d.layout.stateDir, 'boot');
    try {
      const r = await cli(d.root, ['install', '--name', name, '--location', iso, '--osinfo', 'detect=on,require=on',
        '--extra-args', `console=ttyS0 quiet ${GUEST_SHELL}`, '--disk', 'size=1', '--graphics', 'none',
        '--memory', '256', '--virt-type', 'qemu', '--network', 'none', '--noautoconsole']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Domain is still running\. Installation may be in progress\./);
      const copies = (await readdir(boot)).sort();
      assert.equal(copies.length, 2, copies.join(' '));
      const kernel = copies.find((f) => f.endsWith('-vmlinuz'));
      const initrd = copies.find((f) => f.endsWith('-initrd.gz'));
      assert.match(kernel ?? '', /^virtinst-[a-z0-9_]{8}-vmlinuz$/);
      assert.match(initrd ?? '', /^virtinst-[a-z0-9_]{8}-initrd\.gz$/);
      assert.deepEqual(await readFile(join(boot, kernel ?? '')), await readFile(guest.kernel));
      assert.deepEqual(await readFile(join(boot, initrd ?? '')), await readFile(guest.initrd));
      const live = await e.dispatch({ kind: 'dumpxml', name });
      assert.ok(live.includes(`<kernel>${join(boot, kernel ?? '')}</kernel>`) && live.includes(`<initrd>${join(boot, initrd ?? '')}</initrd>`), live);
      assert.ok(live.includes(iso) && live.includes('<on_reboot>destroy</on_reboot>'), live);
      assert.match(live, /<libosinfo:os id='http:\/\/debian\.org\/debian\/11'\/>/, 'the OS was detected from the volume id');

      const ended = installPhaseEnd(e.ctx, name);
      const shell = new GuestShell((await e.dispatch({ kind: 'console', name })).stream);
      await shell.waitFor(GUEST_READY_MARKER);
      assert.match(await shell.check('cat /proc/cmdline'), /console=ttyS0 quiet virtkit\.shell=1/);
      shell.stream.write('reboot -f\n'); // the installer's reboot ends the install phase
      assert.deepEqual(await ended, { stopped: 'shutdown', restarted: true });
      assert.deepEqual(await readdir(boot), [], 'the copied kernel and initrd are removed');
      const final = await e.dispatch({ kind: 'dumpxml', name });
      assert.ok(!final.includes('<kernel>') && !final.includes(iso), final);
    } finally {
      try {
        const s = await e.dispatch({ kind: 'get', name }).catch(() => undefined);
        if (s !== undefined && s.state !== 'shutoff') await e.dispatch({ kind: 'destroy', name }, { wait: 60_000 });
        if (s?.persistent === true) await e.dispatch({ kind: 'undefine', name }, { wait: 60_000 });
      } finally {
        await d.close();
      }
    }
  });
});
