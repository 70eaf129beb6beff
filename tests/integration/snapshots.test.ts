// Domain snapshots on a real guest (TCG) booted from a qcow2 overlay of its ext4 root, through
// the daemon engine with the real QEMU driver: write file A, snapshot, write file B, revert ->
// A is there and B is not; for an internal snapshot (memory and disk, QMP snapshot-save/load)
// and an external disk-only one (a new overlay, blockdev-snapshot). Deleting an external
// snapshot merges its overlay back (block commit) and the guest's writes are still there,
// in the guest and, after power-off, in the image (read with debugfs, nothing mounted).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isVirtkitError } from '../../src/core/errors.js';
import { GUEST_READY_MARKER } from '../helpers/guest.js';
import { until } from '../helpers/wait.js';
import { boot, console, diskSource, fileExists, powerOff, tool, withGuest } from './snapshot-guest.js';

test('internal snapshot of a running guest: A kept, B gone after revert; the metadata survives a daemon restart', { timeout: 300_000 }, async () => {
  await withGuest('vk-snap-int-', async (h, _dir, overlay) => {
    let shell = await boot(h, 'si', overlay);
    await shell.check('echo file-a > /a.txt && sync');
    const made = await h.engine.dispatch({ kind: 'snapshotCreate', name: 'si', xml: '<domainsnapshot><name>s1</name><description>after A</description></domainsnapshot>' });
    assert.deepEqual(made && { n: made.name, s: made.state, l: made.location, c: made.current, p: made.parent }, { n: 's1', s: 'running', l: 'internal', c: true, p: null });
    const tags = JSON.parse((await tool('qemu-img', 'snapshot', '-U', '-l', '--output=json', overlay).catch(() => tool('qemu-img', 'info', '-U', '--output=json', overlay))).stdout) as unknown;
    assert.match(JSON.stringify(tags), /"s1"/, 'the image holds snapshot s1');
    await shell.check('echo file-b > /b.txt && sync');
    assert.ok(await fileExists(shell, '/b.txt'));

    const back = await h.engine.dispatch({ kind: 'snapshotRevert', name: 'si', snapshot: 's1' });
    assert.equal(back.current, true);
    assert.equal((await h.engine.dispatch({ kind: 'get', name: 'si' })).state, 'running');
    assert.equal(await shell.check('cat /a.txt'), 'file-a\n', 'A is there after the revert');
    assert.equal(await fileExists(shell, '/b.txt'), false, 'B is gone after the revert');

    await h.restart();
    shell = await console(h, 'si');
    const list = await h.engine.dispatch({ kind: 'snapshotList', name: 'si' });
    assert.deepEqual(list.map((s) => [s.name, s.current, s.description]), [['s1', true, 'after A']]);
    assert.match(await h.engine.dispatch({ kind: 'snapshotXml', name: 'si', snapshot: 's1' }), /<name>s1<\/name>[^]*<state>running<\/state>[^]*<memory snapshot='internal'\/>/);

    await assert.rejects(h.engine.dispatch({ kind: 'snapshotCreate', name: 'si', xml: '<domainsnapshot><name>s1</name></domainsnapshot>' }), (e) => isVirtkitError(e) && e.code === 'SNAPSHOT_EXISTS');
    await h.engine.dispatch({ kind: 'snapshotDelete', name: 'si', snapshot: 's1' });
    assert.deepEqual(await h.engine.dispatch({ kind: 'snapshotList', name: 'si' }), []);
    assert.equal(await h.engine.dispatch({ kind: 'snapshotCurrent', name: 'si' }), null);
    assert.doesNotMatch((await tool('qemu-img', 'info', '-U', '--output=json', overlay)).stdout, /"s1"/, 'the image no longer holds s1');
    await assert.rejects(h.engine.dispatch({ kind: 'snapshotGet', name: 'si', snapshot: 's1' }), (e) => isVirtkitError(e) && e.code === 'SNAPSHOT_NOT_FOUND');
    assert.equal(await shell.check('cat /a.txt'), 'file-a\n');

    // A memory snapshot reverted while the domain is shut off: started paused, loaded, run.
    await shell.check('echo file-d > /d.txt && sync');
    await h.engine.dispatch({ kind: 'snapshotCreate', name: 'si', xml: '<domainsnapshot><name>s2</name></domainsnapshot>' });
    await shell.check('rm /d.txt && sync');
    await h.engine.dispatch({ kind: 'destroy', name: 'si' });
    await h.engine.dispatch({ kind: 'snapshotRevert', name: 'si', snapshot: 's2' });
    await h.remember('si');
    assert.equal((await h.engine.dispatch({ kind: 'get', name: 'si' })).state, 'running');
    shell = await console(h, 'si');
    assert.equal(await shell.check('cat /d.txt'), 'file-d\n', 'the guest runs on from the snapshot, D there again');
    await powerOff(h, 'si');
  });
});

test('external disk-only snapshot of a running guest: revert to it, and deleting one merges it back without losing data', { timeout: 300_000 }, async () => {
  await withGuest('vk-snap-ext-', async (h, dir, overlay) => {
    let shell = await boot(h, 'se', overlay);
    await shell.check('echo file-a > /a.txt && sync');
    const e1 = await h.engine.dispatch({ kind: 'snapshotCreate', name: 'se', xml: '<domainsnapshot><name>e1</name></domainsnapshot>', diskOnly: true });
    assert.deepEqual(e1 && [e1.state, e1.location], ['disk-snapshot', 'external']);
    const e1File = join(dir, 'root.e1');
    assert.equal(await diskSource(h, 'se'), e1File, 'the definition runs on the new overlay');
    await shell.check('echo file-b > /b.txt && sync');

    // Revert: the guest is stopped, its disk gets a fresh overlay on the image of the snapshot's time.
    await h.engine.dispatch({ kind: 'snapshotRevert', name: 'se', snapshot: 'e1', running: true });
    await h.remember('se');
    assert.equal(await diskSource(h, 'se'), `${e1File}.r1`);
    shell = await console(h, 'se');
    await shell.waitFor(GUEST_READY_MARKER);
    assert.equal(await shell.check('cat /a.txt'), 'file-a\n', 'A is there after the revert');
    assert.equal(await fileExists(shell, '/b.txt'), false, 'B is gone after the revert');
    assert.ok(existsSync(e1File), 'the overlay written after the snapshot is kept on disk');
    await assert.rejects(h.engine.dispatch({ kind: 'snapshotDelete', name: 'se', snapshot: 'e1' }), (e) => isVirtkitError(e) && e.code === 'OPERATION_INVALID');

    // A second external snapshot, written to, then deleted: merged back live with block commit.
    const e2 = await h.engine.dispatch({ kind: 'snapshotCreate', name: 'se', xml: '<domainsnapshot><name>e2</name></domainsnapshot>', diskOnly: true });
    assert.equal(e2?.parent, 'e1');
    await shell.check('echo file-c > /c.txt && sync');
    await h.engine.dispatch({ kind: 'snapshotDelete', name: 'se', snapshot: 'e2' });
    assert.equal(await diskSource(h, 'se'), `${e1File}.r1`, 'the disk is back on the image under the merged overlay');
    assert.ok(!existsSync(join(dir, 'root.e2')), 'the merged overlay file is removed');
    assert.equal((await h.engine.dispatch({ kind: 'snapshotCurrent', name: 'se' }))?.name, 'e1');
    await shell.check('echo 3 > /proc/sys/vm/drop_caches');
    assert.equal(await shell.check('cat /c.txt'), 'file-c\n', 'C, written on the merged overlay, is still there');
    await powerOff(h, 'se');

    // After power-off the image itself holds C (read without mounting).
    const flat = join(dir, 'flat.raw');
    await tool('qemu-img', 'convert', '-O', 'raw', `${e1File}.r1`, flat);
    assert.doesNotMatch((await tool('dumpe2fs', '-h', flat)).stdout, /^Filesystem features:.*\bneeds_recovery\b/m, 'the guest unmounted cleanly onto this image');
    assert.equal((await tool('debugfs', '-R', 'cat /c.txt', flat)).stdout, 'file-c\n');
    assert.equal((await tool('debugfs', '-R', 'cat /a.txt', flat)).stdout, 'file-a\n');
  });
});

test('block jobs on a running guest: blockpull flattens the chain, blockcommit merges an overlay back and pivots', { timeout: 300_000 }, async () => {
  await withGuest('vk-snap-blk-', async (h, dir, overlay) => {
    const shell = await boot(h, 'bj', overlay);
    // A pull held back to 1 byte/s runs until it is aborted; meanwhile its progress can be read.
    const held = h.engine.dispatch({ kind: 'blockPull', name: 'bj', disk: 'vda', bandwidth: 1 });
    const running = await until('the held-back pull job', async () => {
      const r = await h.engine.dispatch({ kind: 'blockJobs', name: 'bj', disk: 'vda' });
      return r.jobs.length > 0 ? r : undefined;
    });
    assert.deepEqual(running.jobs.map((j) => [j.id, j.type]), [['vk-pull-virtio-disk0', 'stream']]);
    assert.ok((running.jobs[0]?.total ?? 0) > 0, 'QEMU reports the job\'s size');
    await h.engine.dispatch({ kind: 'blockJobAbort', name: 'bj', disk: 'vda' });
    await assert.rejects(held, (e) => isVirtkitError(e) && e.code === 'OPERATION_ABORTED');
    assert.deepEqual(await h.engine.dispatch({ kind: 'blockJobs', name: 'bj', disk: 'vda' }), { disk: 'vda', jobs: [] });

    await h.engine.dispatch({ kind: 'blockPull', name: 'bj', disk: 'vda' });
    const info = JSON.parse((await tool('qemu-img', 'info', '-U', '--output=json', overlay)).stdout) as Record<string, unknown>;
    assert.equal(info['backing-filename'], undefined, 'the pulled image no longer needs its backing file');
    assert.deepEqual(await h.engine.dispatch({ kind: 'blockJobs', name: 'bj', disk: 'vda' }), { disk: 'vda', jobs: [] });
    assert.match(await shell.check('head -1 /virtkit/run'), /^#!\/bin\/sh/, 'the guest reads what came from the old base');

    await h.engine.dispatch({ kind: 'snapshotCreate', name: 'bj', xml: '<domainsnapshot><name>e1</name></domainsnapshot>', diskOnly: true });
    const e1 = join(dir, 'root.e1');
    await shell.check('echo file-e > /e.txt && sync');
    const r = await h.engine.dispatch({ kind: 'blockCommit', name: 'bj', disk: 'vda', pivot: true, shallow: true });
    assert.deepEqual(r, { disk: 'vda', image: overlay, base: overlay, deleted: [] });
    assert.equal(await diskSource(h, 'bj'), overlay, 'the definition follows the pivot');
    assert.ok(existsSync(e1), 'the merged overlay is kept, as virsh without --delete');
    await shell.check('echo 3 > /proc/sys/vm/drop_caches');
    assert.equal(await shell.check('cat /e.txt'), 'file-e\n');
    await shell.check('echo file-f > /f.txt && sync');
    // The snapshot's overlay is no longer the disk's image: only its record can go.
    await h.engine.dispatch({ kind: 'snapshotDelete', name: 'bj', snapshot: 'e1', metadataOnly: true });
    await powerOff(h, 'bj');
    const flat = join(dir, 'flat.raw');
    await tool('qemu-img', 'convert', '-O', 'raw', overlay, flat);
    assert.equal((await tool('debugfs', '-R', 'cat /e.txt', flat)).stdout, 'file-e\n', 'the commit put E into the image');
    assert.equal((await tool('debugfs', '-R', 'cat /f.txt', flat)).stdout, 'file-f\n', 'writes after the pivot land in the image');
  });
});
