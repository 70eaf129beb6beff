// Block jobs survive a daemon killed with SIGKILL (a real virtkitd process, a real QEMU): a commit
// that ends while no daemon runs is reconciled when the next one re-attaches (the live XML's
// chain from the images, the job dismissed, and the merged image removed as its --delete asked:
// the status file records it), and an active commit started before the kill (with --delete) is
// found by the new daemon, reaches its ready state and is pivoted with blockjob --pivot (the
// definitions then on the base, which holds the top's data; the top removed). An active commit
// asked with --pivot --delete whose request (and daemon) is killed before it is ready is pivoted
// and its top removed by the next daemon, unasked.
import { existsSync } from 'node:fs';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { until } from '../helpers/wait.js';
import { assertLeftNothing, cli, domainXml, spawnDaemon, tempRoot, type Child } from './daemon-harness.js';

const img = (...args: string[]): string => execFileSync('qemu-img', args, { encoding: 'utf8' });
const io = (format: string, cmd: string, path: string): string => execFileSync('qemu-io', ['-f', format, '-c', cmd, path], { encoding: 'utf8' });
const chainOnDisk = (top: string): string[] => (JSON.parse(img('info', '-U', '--backing-chain', '--output=json', top)) as { filename: string }[]).map((i) => i.filename);

describe('block jobs across a daemon kill -9', { timeout: 180_000 }, () => {
  it('a commit ended while no daemon ran is reconciled; an active commit is taken over and pivoted', async () => {
    const { root, layout } = await tempRoot('vk-bjc-');
    let daemon: Child = await spawnDaemon(layout);
    const vk = (...a: string[]) => cli(root, a);
    /** A command once the taken-over job's bookkeeping (a job of the domain, after the images changed) has let go of it. */
    const whenFree = (...a: string[]) => until(`${a[0]} accepted`, async () => {
      const r = await vk(...a);
      return r.code !== 0 && /job 'blockjob-end' is running on it/.test(r.stderr) ? undefined : r;
    });
    try {
      const base = join(root, 'base.raw');
      img('create', '-q', '-f', 'raw', base, '32M');
      io('raw', 'write -P 0x44 0 1M', base);
      const mid = join(root, 'mid.qcow2');
      img('create', '-q', '-f', 'qcow2', '-b', base, '-F', 'raw', mid);
      io('qcow2', 'write -P 0x55 1M 8M', mid);
      const top = join(root, 'top.qcow2');
      img('create', '-q', '-f', 'qcow2', '-b', mid, '-F', 'qcow2', top);
      io('qcow2', 'write -P 0x66 16M 8M', top);
      const base2 = join(root, 'base2.raw');
      img('create', '-q', '-f', 'raw', base2, '32M');
      const top2 = join(root, 'top2.qcow2');
      img('create', '-q', '-f', 'qcow2', '-b', base2, '-F', 'raw', top2);
      io('qcow2', 'write -P 0x77 0 8M', top2);
      await writeFile(join(root, 'g.xml'), domainXml('g', `  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${top}'/><target dev='vdb' bus='virtio'/></disk>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${top2}'/><target dev='vdc' bus='virtio'/></disk>
  </devices>
`));
      assert.equal((await vk('define', 'g.xml')).code, 0);
      assert.equal((await vk('start', 'g')).code, 0);
      // As libvirt, the live XML of a running domain shows the disk's chain (read from the images at start).
      assert.match((await vk('dumpxml', 'g')).stdout, new RegExp(`<source file='${top}'/>\\s*<backingStore type='file' index='1'>\\s*<format type='qcow2'/>\\s*` +
        `<source file='${mid}'/>\\s*<backingStore type='file' index='2'>\\s*<format type='raw'/>\\s*<source file='${base}'/>\\s*<backingStore/>\\s*</backingStore>\\s*</backingStore>`));

      // mid into base at 4 MiB/s, the daemon killed at once: QEMU finishes the job alone.
      assert.deepEqual(await vk('blockcommit', 'g', 'vdb', '--top', 'vdb[1]', '--bandwidth', '4', '--delete'), { code: 0, stdout: 'Block Commit started\n\n', stderr: '' });
      await daemon.stop('SIGKILL');
      await until('QEMU ends the commit alone', () => chainOnDisk(top).length === 2);
      assert.deepEqual(chainOnDisk(top), [top, base]);
      daemon = await spawnDaemon(layout);
      const liveChain = async () => [...(await vk('dumpxml', 'g')).stdout.matchAll(/<source file='([^']+)'/g)].map((m) => m[1]).filter((f) => f !== top2 && f !== base2);
      await until('the new daemon reconciles the live XML with the chain QEMU ended with', async () => (await liveChain()).length === 2);
      assert.deepEqual(await liveChain(), [top, base]);
      assert.equal((await vk('blockjob', 'g', 'vdb', '--info')).stdout, 'No current block job for vdb\n\n', 'the ended job was dismissed');
      await until('--delete of the commit done by the new daemon', () => !existsSync(mid));

      // An active commit of top into base, the daemon killed while it runs; the next one finds it and pivots.
      assert.deepEqual(await whenFree('blockcommit', 'g', 'vdb', '--active', '--bandwidth', '2', '--delete'), { code: 0, stdout: 'Active Block Commit started\n\n', stderr: '' });
      await daemon.stop('SIGKILL');
      daemon = await spawnDaemon(layout);
      const status = async () => (JSON.parse((await vk('--json', 'blockjob', 'g', 'vdb', '--info')).stdout) as { jobs: { type: string; status: string }[] }).jobs;
      assert.equal((await status())[0]?.type, 'active-commit', 'the new daemon finds the job');
      await until('the taken-over commit is ready', async () => (await status())[0]?.status === 'ready');
      assert.equal((await vk('blockjob', 'g', 'vdb', '--info')).stdout, 'Active Block Commit: [100 %]\n\n');
      await until('the live XML shows the job ready', async () => (await vk('dumpxml', 'g')).stdout.includes(`<mirror type='file' job='active-commit' ready='yes'>`));
      assert.match((await vk('dumpxml', 'g')).stdout, new RegExp(`<mirror type='file' job='active-commit' ready='yes'>\\s*<format type='raw'/>\\s*<source file='${base}'/>`));
      assert.deepEqual(await vk('blockjob', 'g', 'vdb', '--pivot'), { code: 0, stdout: '\n', stderr: '' });
      assert.equal((await vk('blockjob', 'g', 'vdb', '--info')).stdout, 'No current block job for vdb\n\n');
      assert.doesNotMatch((await vk('dumpxml', 'g')).stdout, /<mirror/);
      assert.equal(existsSync(top), false, 'the pivot removed the top image, as the commit\'s --delete asked before the kill');
      for (const inactive of [false, true]) {
        const xml = (await vk('dumpxml', 'g', ...(inactive ? ['--inactive'] : []))).stdout;
        assert.match(xml, new RegExp(`<driver name='qemu' type='raw'/>\\s*<source file='${base}'/>`), `the ${inactive ? 'persistent' : 'live'} definition pivoted to base`);
      }

      // --pivot --delete (virsh: --pivot implies --wait): the request and its daemon killed while the job runs.
      const asked = vk('blockcommit', 'g', 'vdc', '--active', '--pivot', '--delete', '--bandwidth', '1');
      await until('the active commit of vdc runs', async () => (await vk('blockjob', 'g', 'vdc', '--info')).stdout.startsWith('Active Block Commit'));
      await daemon.stop('SIGKILL');
      assert.notEqual((await asked).code, 0, 'the request ended with its daemon');
      daemon = await spawnDaemon(layout);
      await until('the new daemon pivots vdc to base2, as asked', async () => !(await vk('dumpxml', 'g')).stdout.includes(top2) && !existsSync(top2), 60_000);
      assert.equal((await vk('blockjob', 'g', 'vdc', '--info')).stdout, 'No current block job for vdc\n\n');
      assert.match((await vk('dumpxml', 'g', '--inactive')).stdout, new RegExp(`<driver name='qemu' type='raw'/>\\s*<source file='${base2}'/>\\s*<target dev='vdc'`));

      assert.equal((await whenFree('destroy', 'g')).code, 0);
      assert.doesNotMatch(io('raw', 'read -P 0x77 0 8M', base2), /Pattern verification failed/, 'base2 holds what top2 had');
      for (const [pattern, at] of [[0x44, '0 1M'], [0x55, '1M 8M'], [0x66, '16M 8M']] as const) {
        assert.doesNotMatch(io('raw', `read -P ${pattern} ${at}`, base), /Pattern verification failed/, `base holds ${at} of the chain`);
      }
    } finally {
      if (daemon.child.exitCode !== null || daemon.child.signalCode !== null) daemon = await spawnDaemon(layout);
      await vk('destroy', 'g');
      await daemon.stop('SIGTERM');
      await assertLeftNothing(root, layout, daemon.pid);
    }
  });
});
