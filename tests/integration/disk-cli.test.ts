/**
 * The disk commands in-process through the CLI against a real rooted daemon and a real TCG
 * guest: attach-disk (--print-xml as virsh writes it, live, --config), domblkinfo, blockresize
 * seen by the guest, domblkstat, detach-disk, and the two-line failures.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GUEST_APPEND, GUEST_READY_MARKER, GUEST_SHELL, guestDomainXml, virtioDiskXml } from '../helpers/guest.js';
import { GuestShell } from '../helpers/guest-shell.js';
import { until } from '../helpers/wait.js';
import { cli, inProcessDaemon } from './daemon-harness.js';
import { writeFile } from 'node:fs/promises';

const MiB = 1 << 20;

describe('disk commands on a running guest (CLI, real daemon)', { timeout: 240_000 }, () => {
  it('attach-disk, domblkinfo, blockresize, domblkstat and detach-disk', async () => {
    const d = await inProcessDaemon();
    try {
      const vk = (...a: string[]) => cli(d.root, a);
      const [vda, hot, extra] = ['vda.raw', 'hot.qcow2', 'extra.raw'].map((f) => join(d.root, f)) as [string, string, string];
      execFileSync('qemu-img', ['create', '-q', '-f', 'raw', vda, '4M']);
      execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', hot, '8M']);
      execFileSync('qemu-img', ['create', '-q', '-f', 'raw', extra, '1M']);
      await writeFile(join(d.root, 'g.xml'), await guestDomainXml('g', { append: `${GUEST_APPEND} ${GUEST_SHELL}`, devices: virtioDiskXml(vda, 'vda') }));
      assert.equal((await vk('define', 'g.xml')).code, 0);

      assert.deepEqual(await vk('attach-disk', 'g', '/i/a,b.img', 'vdb', '--subdriver', 'qcow2', '--driver', 'qemu', '--targetbus', 'virtio',
        '--mode', 'readonly', '--cache', 'none', '--print-xml'), {
        code: 0, stderr: '',
        stdout: "<disk type='file'>\n  <driver name='qemu' type='qcow2' cache='none'/>\n  <source file='/i/a,b.img'/>\n  <target dev='vdb' bus='virtio'/>\n  <readonly/>\n</disk>\n\n",
      });
      assert.deepEqual(await vk('attach-disk', 'g', extra, 'vdc', '--config'), { code: 0, stdout: 'Disk attached successfully\n\n', stderr: '' });
      assert.match((await vk('dumpxml', 'g', '--inactive')).stdout, /extra\.raw/);
      assert.deepEqual(await vk('detach-disk', 'g', 'vdc', '--config'), { code: 0, stdout: 'Disk detached successfully\n\n', stderr: '' });
      assert.doesNotMatch((await vk('dumpxml', 'g', '--inactive')).stdout, /extra\.raw/);
      const live = await vk('attach-disk', 'g', hot, 'vdb', '--live');
      assert.equal(live.code, 1);
      assert.match(live.stderr, /^error: Failed to attach disk\nerror: domain 'g' is not running: use --config/);

      assert.equal((await vk('start', 'g')).code, 0);
      const shell = new GuestShell((await d.daemon.engine.dispatch({ kind: 'console', name: 'g' })).stream);
      await shell.waitFor(GUEST_READY_MARKER);
      const vdbBytes = async (): Promise<number | undefined> => {
        const r = await shell.run('cat /sys/block/vdb/size');
        return r.code === 0 ? Number(r.output.trim()) * 512 : undefined;
      };

      assert.deepEqual(await vk('attach-disk', 'g', hot, 'vdb', '--subdriver', 'qcow2', '--targetbus', 'virtio'), { code: 0, stdout: 'Disk attached successfully\n\n', stderr: '' });
      assert.equal(await until('vdb in the guest', vdbBytes), 8 * MiB);
      assert.match((await vk('domblklist', 'g')).stdout, new RegExp(` vdb +${hot}\\n`));
      const info = (await vk('domblkinfo', 'g', 'vdb')).stdout.split('\n');
      assert.equal(info[0], `Capacity:       ${8 * MiB}`);
      assert.match(info[1] ?? '', /^Allocation: {5}\d+$/);
      assert.match(info[2] ?? '', /^Physical: {7}\d+$/);

      assert.deepEqual(await vk('blockresize', 'g', 'vdb', '16M'), { code: 0, stdout: "Block device 'vdb' is resized\n\n", stderr: '' });
      await until('the guest sees 16 MiB', async () => (await vdbBytes()) === 16 * MiB);
      assert.equal((await vk('domblkinfo', 'g', 'vdb', '--human')).stdout.split('\n')[0], 'Capacity:       16.000 MiB');

      await shell.check('dd if=/dev/vdb of=/dev/null bs=4096 count=4 2>/dev/null');
      const stat = (await vk('domblkstat', 'g', 'vdb')).stdout.split('\n').filter((l) => l !== '');
      assert.deepEqual(stat.map((l) => l.replace(/ \d+$/, '')), ['rd_req', 'rd_bytes', 'wr_req', 'wr_bytes', 'flush_operations', 'rd_total_times', 'wr_total_times', 'flush_total_times'].map((k) => `vdb ${k}`));
      assert.ok(Number(stat[1]?.split(' ')[2]) >= 4 * 4096, `the guest's reads are counted: ${stat[1] ?? ''}`);

      assert.deepEqual(await vk('detach-disk', 'g', 'vdb'), { code: 0, stdout: 'Disk detached successfully\n\n', stderr: '' });
      await until('vdb gone from the guest', async () => (await vdbBytes()) === undefined);
      assert.doesNotMatch((await vk('domblklist', 'g')).stdout, /vdb/);
      const missing = await vk('detach-disk', 'g', 'vdq');
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /^error: Failed to detach disk\nerror: domain 'g' has no disk whose target or source is 'vdq'/);

      assert.equal((await vk('destroy', 'g')).code, 0);
    } finally {
      await d.close();
    }
  });
});
