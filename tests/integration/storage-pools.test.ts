/**
 * Storage pools and volumes through the CLI, in-process against a real rooted daemon:
 * the `default` dir pool made on first use, raw and qcow2 volumes (checked with the real
 * qemu-img), refusals that leave nothing behind, an fs pool on a small ext4 image (mount -o loop;
 * full pool -> NO_SPACE), netfs without a kernel NFS client, rbd refused at start, and
 * definitions and active pools surviving a daemon restart.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startDaemon } from '../../src/daemon/daemon.js';
import { cli, inProcessDaemon, quietLog } from './daemon-harness.js';

const img = (args: string[]): string => execFileSync('qemu-img', args, { encoding: 'utf8' });
const info = (path: string) => JSON.parse(img(['info', '--output=json', '-U', path])) as Record<string, unknown>;
const mounted = (dir: string) => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === dir);
const errCode = (stderr: string): string => (JSON.parse(stderr) as { error: { code: string } }).error.code;

describe('storage pools and volumes (CLI, real daemon, real qemu-img and mount)', { timeout: 120_000 }, () => {
  it('makes `default` on first use and creates, lists, describes and deletes raw and qcow2 volumes', async () => {
    const d = await inProcessDaemon();
    try {
      const vk = (...a: string[]) => cli(d.root, a);
      assert.deepEqual(await vk('pool-list', '--all'), { code: 0, stdout: ' Name   State   Autostart\n---------------------------\n\n', stderr: '' });
      assert.deepEqual(await vk('vol-create-as', 'default', 'a.raw', '1M', '--allocation', '512K'), { code: 0, stdout: 'Vol a.raw created\n\n', stderr: '' });
      const images = d.layout.imagesDir;
      const a = join(images, 'a.raw');
      assert.equal(info(a)['format'], 'raw');
      assert.equal(info(a)['virtual-size'], 1 << 20);
      assert.deepEqual(await vk('pool-list'), { code: 0, stdout: ' Name      State    Autostart\n-------------------------------\n default   active   yes\n\n', stderr: '' });
      const details = (await vk('pool-list', '--all', '--details')).stdout.split('\n');
      assert.match(details[0] ?? '', /^ Name +State +Autostart +Persistent +Capacity +Allocation +Available$/);
      assert.match(details[2] ?? '', /^ default +running +yes +yes +\d+\.\d\d [KMGT]iB +\d+\.\d\d [KMGT]iB +\d+\.\d\d [KMGT]iB$/);

      assert.equal((await vk('vol-create-as', 'default', 'b.qcow2', '10M', '--format', 'qcow2')).code, 0);
      assert.equal((await vk('vol-create-as', 'default', 'c.qcow2', '10M', '--format', 'qcow2', '--backing-vol', 'b.qcow2',
        '--backing-vol-format', 'qcow2')).code, 0);
      const c = info(join(images, 'c.qcow2'));
      assert.equal(c['format'], 'qcow2');
      assert.equal(c['backing-filename'], join(images, 'b.qcow2'));
      assert.equal(c['backing-filename-format'], 'qcow2');
      img(['check', join(images, 'c.qcow2')]);
      assert.equal((await vk('vol-create-as', 'default', 'm.qcow2', '10M', '--format', 'qcow2', '--prealloc-metadata')).code, 0);
      img(['check', join(images, 'm.qcow2')]);

      const names = ['a.raw', 'b.qcow2', 'c.qcow2', 'm.qcow2'];
      const pathWidth = join(images, 'b.qcow2').length;
      assert.deepEqual((await vk('vol-list', 'default')).stdout.split('\n'), [
        ' Name      Path', '-'.repeat(7 + 3 + pathWidth + 3), ...names.map((n) => ` ${n.padEnd(7)}   ${join(images, n)}`), '', '',
      ]);
      assert.deepEqual(await vk('vol-info', 'a.raw', '--pool', 'default'), {
        code: 0, stdout: 'Name:           a.raw\nType:           file\nCapacity:       1.00 MiB\nAllocation:     512.00 KiB\n\n', stderr: '',
      });
      assert.equal((await vk('vol-info', '--bytes', a)).stdout, `Name:           a.raw\nType:           file\nCapacity:       1048576 bytes\nAllocation:     524288 bytes\n\n`);
      assert.equal((await vk('vol-path', 'a.raw', '--pool', 'default')).stdout, `${a}\n\n`);
      assert.equal((await vk('vol-key', 'a.raw', '--pool', 'default')).stdout, `${a}\n\n`);
      assert.equal((await vk('vol-name', a)).stdout, 'a.raw\n\n');
      assert.equal((await vk('vol-pool', a)).stdout, 'default\n\n');
      const xml = (await vk('vol-dumpxml', 'c.qcow2', '--pool', 'default')).stdout;
      assert.match(xml, /<name>c\.qcow2<\/name>/);
      assert.match(xml, /<capacity unit='bytes'>10485760<\/capacity>|<capacity>10485760<\/capacity>/);
      assert.match(xml, /<backingStore>\s*<path>[^<]*b\.qcow2<\/path>\s*<format type='qcow2'\/>/);

      // Refusals: a stable code each, nothing left in the pool.
      const before = (await readdir(images)).sort();
      for (const bad of ['../x', 'a/b', '..', '.hidden']) {
        const r = await vk('--json', 'vol-create-as', 'default', bad, '1M');
        assert.equal(r.code, 1, bad);
        assert.equal(errCode(r.stderr), 'INVALID_NAME', bad);
      }
      const fmt = await vk('--json', 'vol-create-as', 'default', 'x.img', '1M', '--format', 'nonsense');
      assert.equal(errCode(fmt.stderr), 'XML_INVALID_VALUE');
      const dup = await vk('--json', 'vol-create-as', 'default', 'a.raw', '1M');
      assert.equal(errCode(dup.stderr), 'VOLUME_EXISTS');
      const nobfmt = await vk('--json', 'vol-create-as', 'default', 'y.qcow2', '1M', '--format', 'qcow2', '--backing-vol', 'b.qcow2');
      assert.equal(nobfmt.code, 1);
      assert.deepEqual((await readdir(images)).sort(), before);

      assert.equal((await vk('vol-delete', 'c.qcow2', '--pool', 'default')).stdout, 'Vol c.qcow2 deleted\n\n');
      assert.equal(existsSync(join(images, 'c.qcow2')), false);
      const gone = await vk('vol-info', 'c.qcow2', '--pool', 'default');
      assert.equal(gone.code, 1);
      assert.match(gone.stderr, /^error: failed to get vol 'c\.qcow2'\n/);
      const nopool = await vk('pool-info', 'nope');
      assert.match(nopool.stderr, /^error: failed to get pool 'nope'\nerror: pool 'nope' not found/);
    } finally {
      await d.close();
    }
  });

  it('runs the pool lifecycle of a dir pool; definitions and active pools survive a restart', async () => {
    const d = await inProcessDaemon();
    const target = join(d.root, 'p2');
    try {
      const vk = (...a: string[]) => cli(d.root, a);
      assert.equal((await vk('pool-define-as', 'p2', 'dir', '--target', target)).stdout, 'Pool p2 defined\n\n');
      const start = await vk('pool-start', 'p2');
      assert.equal(start.code, 1);
      assert.match(start.stderr, /Failed to start pool p2\nerror: cannot start pool 'p2': its target directory .* does not exist; build the pool first/);
      assert.equal((await vk('pool-build', 'p2')).stdout, 'Pool p2 built\n\n');
      assert.equal((await vk('pool-start', 'p2')).stdout, 'Pool p2 started\n\n');
      assert.equal((await vk('pool-autostart', 'p2')).stdout, 'Pool p2 marked as autostarted\n\n');
      const uuid = (await vk('pool-uuid', 'p2')).stdout.trim();
      assert.equal((await vk('pool-name', uuid)).stdout, 'p2\n\n');
      const pi = (await vk('pool-info', 'p2')).stdout.split('\n');
      assert.deepEqual(pi.slice(0, 5), ['Name:           p2', `UUID:           ${uuid}`, 'State:          running', 'Persistent:     yes', 'Autostart:      yes']);
      assert.match(pi[5] ?? '', /^Capacity: {7}\d+\.\d\d [KMGT]iB$/);
      assert.equal((await vk('vol-create-as', 'p2', 'v', '64K')).code, 0);
      assert.ok(existsSync(join(d.layout.poolsDir, 'p2.xml')));
      assert.ok(existsSync(join(d.layout.poolAutostartDir, 'p2')));
      const undef = await vk('--json', 'pool-undefine', 'p2');
      assert.equal(errCode(undef.stderr), 'OPERATION_INVALID');
      // Transient pool from XML.
      await writeFile(join(d.root, 't.xml'), `<pool type='dir'><name>t</name><target><path>${target}-t</path></target></pool>`);
      assert.equal((await vk('pool-create', 't.xml', '--build')).stdout, 'Pool t created from t.xml\n\n');

      // Restart on the same root: p2 is active again with its volume, t too (its status file).
      await d.daemon.close();
      const again = await startDaemon({ layout: d.layout, log: quietLog(), autostart: false });
      try {
        assert.deepEqual((await vk('pool-list', '--all')).stdout.split('\n').slice(2, 4), [' p2     active   yes', ' t      active   no']);
        assert.equal((await vk('vol-list', 'p2')).stdout.split('\n')[2], ` v      ${join(target, 'v')}`);
        assert.equal((await vk('pool-destroy', 't')).stdout, 'Pool t destroyed\n\n');
        assert.equal((await vk('pool-destroy', 'p2')).stdout, 'Pool p2 destroyed\n\n');
        assert.equal((await vk('pool-list', '--all')).stdout.split('\n')[2], ' p2     inactive   yes');
        const del = await vk('--json', 'pool-delete', 'p2');
        assert.equal(errCode(del.stderr), 'OPERATION_INVALID');
        await cli(d.root, ['pool-start', 'p2']);
        await cli(d.root, ['vol-delete', 'v', '--pool', 'p2']);
        await cli(d.root, ['pool-destroy', 'p2']);
        assert.equal((await vk('pool-delete', 'p2')).stdout, 'Pool p2 deleted\n\n');
        assert.equal(existsSync(target), false);
        assert.equal((await vk('pool-undefine', 'p2')).stdout, 'Pool p2 has been undefined\n\n');
        assert.equal(existsSync(join(d.layout.poolsDir, 'p2.xml')), false);
        assert.equal(existsSync(join(d.layout.poolAutostartDir, 'p2')), false);
      } finally {
        await again.close();
      }
    } finally {
      await d.close().catch(() => undefined);
    }
  });

  it('mounts an fs pool from an ext4 image file, refuses a volume that does not fit, and unmounts', async () => {
    const d = await inProcessDaemon();
    const image = join(d.root, 'fs.img');
    const mnt = join(d.root, 'mnt');
    try {
      execFileSync('truncate', ['-s', '8M', image]);
      execFileSync('mke2fs', ['-q', '-t', 'ext4', '-F', image]);
      const vk = (...a: string[]) => cli(d.root, a);
      assert.equal((await vk('pool-define-as', 'fsp', 'fs', '--source-dev', image, '--target', mnt, '--source-format', 'ext4')).code, 0);
      assert.equal((await vk('pool-start', 'fsp', '--build')).stdout, 'Pool fsp started\n\n');
      assert.ok(mounted(mnt));
      const full = await vk('--json', 'vol-create-as', 'fsp', 'big', '64M', '--allocation', '64M');
      assert.equal(errCode(full.stderr), 'NO_SPACE');
      assert.deepEqual((await readdir(mnt)).sort(), ['lost+found']);
      assert.equal((await vk('vol-create-as', 'fsp', 'small', '1M', '--allocation', '1M')).code, 0);
      assert.equal((await vk('vol-info', 'small', '--pool', 'fsp', '--bytes')).stdout.split('\n')[3], 'Allocation:     1048576 bytes');
      await vk('vol-delete', 'small', '--pool', 'fsp');
      assert.equal((await vk('pool-destroy', 'fsp')).stdout, 'Pool fsp destroyed\n\n');
      assert.equal(mounted(mnt), false);
      assert.equal(execFileSync('losetup', ['-j', image], { encoding: 'utf8' }), '');
    } finally {
      if (mounted(mnt)) execFileSync('umount', [mnt]);
      await d.close();
    }
  });

  it('refuses to start a netfs pool without a kernel NFS client, and an rbd pool whose monitor does not resolve, changing nothing', async () => {
    const d = await inProcessDaemon();
    try {
      const vk = (...a: string[]) => cli(d.root, a);
      await mkdir(join(d.root, 'nfs'));
      assert.equal((await vk('pool-define-as', 'nf', 'netfs', '--source-host', 'server', '--source-path', '/export', '--target', join(d.root, 'nfs'))).code, 0);
      const nf = await vk('--json', 'pool-start', 'nf');
      const hasNfs = /\tnfs\n/.test(readFileSync('/proc/filesystems', 'utf8'));
      if (!hasNfs) {
        assert.equal(errCode(nf.stderr), 'HOST_UNSUPPORTED');
        assert.match((await vk('pool-start', 'nf')).stderr, /this host's kernel has no NFS client \(\/proc\/filesystems lists no 'nfs'\)/);
      }
      await writeFile(join(d.root, 'rbd.xml'), "<pool type='rbd'><name>ceph</name><source><host name='mon1'/><name>rbdpool</name></source></pool>");
      assert.equal((await vk('pool-define', 'rbd.xml')).stdout, 'Pool ceph defined from rbd.xml\n\n');
      const rbd = await vk('--json', 'pool-start', 'ceph');
      assert.equal(errCode(rbd.stderr), 'STORAGE_FAILED');
      assert.match(rbd.stderr, /cannot list the images of Ceph pool 'rbdpool': .*mon1/);
      assert.equal(errCode((await vk('--json', 'pool-build', 'ceph')).stderr), 'UNSUPPORTED_OPERATION', 'an rbd pool is made in Ceph');
      assert.deepEqual((await vk('pool-list', '--inactive')).stdout.split('\n').slice(2, 4), [' ceph   inactive   no', ' nf     inactive   no']);
      const refused = await vk('--json', 'pool-define-as', 'lv', 'logical', '--target', '/dev/vg');
      assert.equal(errCode(refused.stderr), 'XML_UNSUPPORTED');
    } finally {
      await d.close();
    }
  });
});
