// virsh blockcommit on a real guest (TCG) whose root disk has a chain of external snapshots:
// a non-active commit of a middle image (--top vda[1] --base vda[2] --delete --keep-relative), an active commit
// that keeps the overlay (--keep-overlay, the guest paused: base then equals top) and one that
// pivots (--pivot --shallow --delete). After each the guest reads every file it wrote before
// each snapshot, `qemu-img info --backing-chain` shows the shortened chain and the live XML's
// <backingStore> matches it. Bad --top/--base are refused (IMAGE_NOT_IN_CHAIN) before anything
// runs, and a shut-off domain is refused as libvirt does ("not running").
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isVirtkitError } from '../../src/core/errors.js';
import { until } from '../helpers/wait.js';
import { guestDomainXml, virtioDiskXml } from '../helpers/guest.js';
import { boot, chainOnDisk, console, diskSource, liveChain, powerOff, tool, withGuest } from './snapshot-guest.js';

const refused = (code: string, re: RegExp) => (e: unknown) => isVirtkitError(e) && e.code === code && re.test(e.message);

test('blockcommit --top/--base/--shallow/--keep-overlay/--pivot/--delete on a running guest keeps its data', { timeout: 300_000 }, async () => {
  await withGuest('vk-blkc-', async (h, dir, overlay) => {
    let shell = await boot(h, 'bc', overlay);
    const base = join(dir, 'base.img');
    const snap = async (n: string) => h.engine.dispatch({ kind: 'snapshotCreate', name: 'bc', xml: `<domainsnapshot><name>${n}</name></domainsnapshot>`, diskOnly: true });
    const files = ['a', 'b', 'c', 'd'];
    for (const [i, f] of files.entries()) {
      await shell.check(`echo file-${f} > /${f}.txt && sync`);
      if (i < 3) await snap(`s${i + 1}`);
    }
    const [s1, s2, s3] = ['s1', 's2', 's3'].map((n) => join(dir, `root.${n}`)) as [string, string, string];
    assert.deepEqual(await chainOnDisk(s3), [s3, s2, s1, overlay, base]);
    assert.deepEqual(await liveChain(h, 'bc'), [s3, s2, s1, overlay, base], 'the live XML shows the chain the snapshots built');
    const readAll = async () => {
      await shell.check('echo 3 > /proc/sys/vm/drop_caches');
      for (const f of files) assert.equal(await shell.check(`cat /${f}.txt`), `file-${f}\n`);
    };

    // Refused before anything runs: the chain is as it was.
    await assert.rejects(h.engine.dispatch({ kind: 'blockCommit', name: 'bc', disk: 'vda', top: join(dir, 'nope.qcow2') }), refused('IMAGE_NOT_IN_CHAIN', /could not find image/));
    await assert.rejects(h.engine.dispatch({ kind: 'blockCommit', name: 'bc', disk: 'vda', top: 'vda[2]', base: s2 }), refused('IMAGE_NOT_IN_CHAIN', /beneath/));
    await assert.rejects(h.engine.dispatch({ kind: 'blockCommit', name: 'bc', disk: 'vda', top: 'vda[1]', active: true }), refused('INVALID_ARGUMENT', /not the active image/));
    await assert.rejects(h.engine.dispatch({ kind: 'blockCommit', name: 'bc', disk: 'vda' }), refused('INVALID_ARGUMENT', /requires --active/));
    assert.deepEqual(await chainOnDisk(s3), [s3, s2, s1, overlay, base]);

    // --delete of an image another domain's definition names: refused before anything runs.
    await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml('bc-other', { devices: virtioDiskXml(s2, 'vda', 'qcow2') }) });
    await assert.rejects(h.engine.dispatch({ kind: 'blockCommit', name: 'bc', disk: 'vda', top: 'vda[1]', delete: true }), refused('OPERATION_INVALID', /--delete would remove '.*root\.s2', which domain 'bc-other' uses/));
    await h.engine.dispatch({ kind: 'undefine', name: 'bc-other' });
    assert.deepEqual(await chainOnDisk(s3), [s3, s2, s1, overlay, base]);

    // A commit held back to 1 byte/s, cancelled (blockjob --abort, as --timeout does): nothing changes, nothing is deleted.
    const held = h.engine.dispatch({ kind: 'blockCommit', name: 'bc', disk: 'vda', top: 'vda[1]', base: 'vda[2]', delete: true, bandwidth: 1 });
    const job = await until('the held-back commit job', async () => (await h.engine.dispatch({ kind: 'blockJobs', name: 'bc', disk: 'vda' })).jobs[0]);
    assert.deepEqual([job.id, job.type], ['vk-commit-virtio-disk0', 'commit']);
    await h.engine.dispatch({ kind: 'blockJobAbort', name: 'bc', disk: 'vda' });
    await assert.rejects(held, refused('OPERATION_ABORTED', /cancelled/));
    assert.ok(existsSync(s2), 'an aborted commit deletes nothing');
    assert.deepEqual(await chainOnDisk(s3), [s3, s2, s1, overlay, base]);
    assert.deepEqual(await liveChain(h, 'bc'), [s3, s2, s1, overlay, base]);

    // Non-active: s2 (vda[1]) into s1 (vda[2]); s3 now backed by s1 (named relative to it), s2 removed.
    const r1 = await h.engine.dispatch({ kind: 'blockCommit', name: 'bc', disk: 'vda', top: 'vda[1]', base: 'vda[2]', delete: true, keepRelative: true });
    assert.deepEqual(r1, { disk: 'vda', image: s3, base: s1, deleted: [s2] });
    assert.ok(!existsSync(s2), '--delete removed the committed image');
    const s3Info = JSON.parse((await tool('qemu-img', 'info', '-U', '--output=json', s3)).stdout) as Record<string, unknown>;
    assert.deepEqual([s3Info['backing-filename'], s3Info['backing-filename-format']], ['root.s1', 'qcow2'], '--keep-relative wrote a relative name');
    assert.deepEqual(await chainOnDisk(s3), [s3, s1, overlay, base], 'qemu-img sees the shortened chain');
    assert.deepEqual(await liveChain(h, 'bc'), [s3, s1, overlay, base], 'the live XML follows');
    assert.equal(await diskSource(h, 'bc'), s3, 'the definition still runs on the active image');
    await readAll();

    // The live XML with its chain is what the daemon re-reads when it restarts and re-attaches.
    await h.restart();
    shell = await console(h, 'bc');
    assert.deepEqual(await liveChain(h, 'bc'), [s3, s1, overlay, base], 'the chain survives a daemon restart');

    // Active, keeping the overlay (guest paused so that nothing is written meanwhile): s1 then holds all s3 has.
    await h.engine.dispatch({ kind: 'suspend', name: 'bc' });
    const r2 = await h.engine.dispatch({ kind: 'blockCommit', name: 'bc', disk: 'vda', keepOverlay: true, shallow: true });
    assert.deepEqual(r2, { disk: 'vda', image: s3, base: s1, deleted: [] });
    assert.match((await tool('qemu-img', 'compare', '-U', '-f', 'qcow2', '-F', 'qcow2', s3, s1)).stdout, /Images are identical/);
    await h.engine.dispatch({ kind: 'resume', name: 'bc' });
    assert.deepEqual(await liveChain(h, 'bc'), [s3, s1, overlay, base]);

    // Active with pivot: s3 into s1, the disk moves to s1, s3 removed.
    await shell.check('echo file-e > /e.txt && sync');
    files.push('e');
    const r3 = await h.engine.dispatch({ kind: 'blockCommit', name: 'bc', disk: 'vda', pivot: true, shallow: true, delete: true });
    assert.deepEqual(r3, { disk: 'vda', image: s1, base: s1, deleted: [s3] });
    assert.ok(!existsSync(s3));
    assert.equal(await diskSource(h, 'bc'), s1, 'the definition follows the pivot');
    assert.deepEqual(await liveChain(h, 'bc'), [s1, overlay, base]);
    assert.deepEqual(await chainOnDisk(s1), [s1, overlay, base]);
    await readAll();

    // The snapshots' overlays are gone or no longer the disk's: forget their records only.
    for (const n of ['s3', 's2', 's1']) await h.engine.dispatch({ kind: 'snapshotDelete', name: 'bc', snapshot: n, metadataOnly: true });
    await powerOff(h, 'bc');
    await assert.rejects(h.engine.dispatch({ kind: 'blockCommit', name: 'bc', disk: 'vda', top: 'vda[1]' }), refused('OPERATION_INVALID', /not running/));
    const flat = join(dir, 'flat.raw');
    await tool('qemu-img', 'convert', '-O', 'raw', s1, flat);
    for (const f of files) assert.equal((await tool('debugfs', '-R', `cat /${f}.txt`, flat)).stdout, `file-${f}\n`, `${f} is in the image after power-off`);
  });
});
