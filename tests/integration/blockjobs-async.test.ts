// Block jobs as virsh runs them without --wait, on a real guest (TCG) whose root disk has qcow2
// overlays: a commit held back by its bandwidth answers while QEMU still runs it and the daemon
// finishes it (chain, --delete) when it ends; a plain active commit stays ready (the live XML
// still on top) until blockjob --pivot moves the disk to the base or --abort leaves it on top;
// blockpull in the background flattens the chain. Each end is a block-job event, in order.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { until } from '../helpers/wait.js';
import { boot, chainOnDisk, diskSource, liveChain, powerOff, tool, withGuest } from './snapshot-guest.js';

test('blockcommit and blockpull without --wait, a ready active commit pivoted and aborted, block-job events', { timeout: 300_000 }, async () => {
  await withGuest('vk-bja-', async (h, dir, overlay) => {
    const events: string[] = [];
    h.engine.ctx.blockJobEvents.subscribe((e) => events.push(`${e.domain ?? ''}/${e.name} ${e.event}`));
    const shell = await boot(h, 'bj', overlay);
    const base = join(dir, 'base.img');
    const snap = async (n: string) => h.engine.dispatch({ kind: 'snapshotCreate', name: 'bj', xml: `<domainsnapshot><name>${n}</name></domainsnapshot>`, diskOnly: true });
    const jobs = async () => (await h.engine.dispatch({ kind: 'blockJobs', name: 'bj', disk: 'vda' })).jobs;
    const files: string[] = [];
    const write = async (f: string) => {
      await shell.check(`echo file-${f} > /${f}.txt && sync`);
      files.push(f);
    };
    const readAll = async () => {
      await shell.check('echo 3 > /proc/sys/vm/drop_caches');
      for (const f of files) assert.equal(await shell.check(`cat /${f}.txt`), `file-${f}\n`);
    };

    // 4 MiB in root.qcow2, then s1 over it: committing root.qcow2 at 1 MiB/s runs for a while.
    await write('a');
    await shell.check('dd if=/dev/urandom of=/big bs=1M count=4 2>/dev/null && sync');
    const sum = await shell.check('md5sum /big');
    await snap('s1');
    const s1 = join(dir, 'root.s1');
    assert.deepEqual(await chainOnDisk(s1), [s1, overlay, base]);
    const r = await h.engine.dispatch({ kind: 'blockCommit', name: 'bj', disk: 'vda', top: 'vda[1]', delete: true, bandwidth: 1 << 20, background: true });
    assert.deepEqual(r, { disk: 'vda', image: s1, base, deleted: [overlay] });
    assert.deepEqual((await jobs()).map((j) => [j.id, j.type]), [['vk-commit-virtio-disk0', 'commit']], 'the answer came while QEMU runs the job');
    assert.deepEqual(events, []);
    await until('the commit ends', () => events.length === 1);
    assert.deepEqual(events, ['bj/vda completed']);
    assert.deepEqual(await jobs(), []);
    assert.ok(!existsSync(overlay), 'the daemon removed the committed image (--delete) when the job ended');
    assert.deepEqual(await chainOnDisk(s1), [s1, base]);
    assert.deepEqual(await liveChain(h, 'bj'), [s1, base], 'the live XML follows the job');
    assert.equal(await shell.check('md5sum /big'), sum);
    await readAll();

    // A plain active commit: ready, the disk still on s1 until --pivot; the guest's data then all in base.
    await write('b');
    await h.engine.dispatch({ kind: 'blockCommit', name: 'bj', disk: 'vda', active: true, background: true });
    await until('the active commit is ready', async () => (await jobs())[0]?.status === 'ready' && events.length === 2);
    const [ready] = await jobs();
    assert.deepEqual([ready?.id, ready?.type, ready?.done], ['vk-active-commit-virtio-disk0', 'active-commit', ready?.total]);
    assert.equal(events[1], 'bj/vda ready');
    assert.equal(await diskSource(h, 'bj', false), s1, 'a ready commit has not moved the disk');
    const mirror = new RegExp(`<mirror type='file' job='active-commit' ready='yes'>\\s*<format type='raw'/>\\s*<source file='${base}'/>\\s*</mirror>\\s*<target dev='vda'`);
    assert.match(await h.engine.dispatch({ kind: 'dumpxml', name: 'bj' }), mirror, 'the live XML shows the ready job as libvirt');
    await write('c'); // mirrored into base while ready
    await h.engine.dispatch({ kind: 'blockJobPivot', name: 'bj', disk: 'vda' });
    assert.equal(events[2], 'bj/vda completed');
    assert.equal(await diskSource(h, 'bj', false), base, 'the live definition pivoted to base');
    assert.equal(await diskSource(h, 'bj'), base, 'and the persistent one');
    assert.deepEqual(await liveChain(h, 'bj'), [base]);
    assert.doesNotMatch(await h.engine.dispatch({ kind: 'dumpxml', name: 'bj' }), /<mirror/, 'the job is gone from the live XML');
    assert.ok(existsSync(s1), 'no --delete: the old top stays');
    await readAll();
    await assert.rejects(h.engine.dispatch({ kind: 'blockJobPivot', name: 'bj', disk: 'vda' }), /has no active block commit/);

    // Another one, aborted when ready: the disk stays on its top image, whose data is all there.
    await snap('s2');
    const s2 = await diskSource(h, 'bj', false);
    assert.equal(s2, join(dir, 'base.s2'));
    await write('d');
    await h.engine.dispatch({ kind: 'blockCommit', name: 'bj', disk: 'vda', active: true });
    assert.equal(events[3], 'bj/vda ready', 'without background the answer comes when the job is ready');
    await h.engine.dispatch({ kind: 'blockJobAbort', name: 'bj', disk: 'vda' });
    assert.equal(events[4], 'bj/vda canceled');
    assert.deepEqual(await jobs(), []);
    assert.equal(await diskSource(h, 'bj', false), s2);
    assert.deepEqual(await liveChain(h, 'bj'), [s2, base]);
    await write('e');
    await readAll();

    // blockpull in the background: s2 no longer needs base.
    await h.engine.dispatch({ kind: 'blockPull', name: 'bj', disk: 'vda', background: true });
    await until('the pull ends', () => events.length === 6);
    assert.equal(events[5], 'bj/vda completed');
    assert.deepEqual(await chainOnDisk(s2), [s2]);
    assert.deepEqual(await liveChain(h, 'bj'), [s2]);
    await readAll();

    for (const n of ['s2', 's1']) await h.engine.dispatch({ kind: 'snapshotDelete', name: 'bj', snapshot: n, metadataOnly: true });
    await powerOff(h, 'bj');
    const flat = join(dir, 'flat.raw');
    await tool('qemu-img', 'convert', '-O', 'raw', s2, flat);
    for (const f of files) assert.equal((await tool('debugfs', '-R', `cat /${f}.txt`, flat)).stdout, `file-${f}\n`, `${f} is in the image after power-off`);
  });
});
