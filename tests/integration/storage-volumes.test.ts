/**
 * The volume commands beyond create-as and delete, through the CLI in-process against a real
 * rooted daemon and the real qemu-img: vol-create (XML), vol-create-from, vol-clone (full and
 * linked), vol-resize (grow, shrink refused without --shrink), vol-wipe, pool-capabilities and
 * pool-edit; every volume checked with qemu-img check and info; refusals leave nothing behind.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { run } from '../../src/cli/run.js';
import { cli, inProcessDaemon } from './daemon-harness.js';

const img = (args: string[]): string => execFileSync('qemu-img', args, { encoding: 'utf8' });
const info = (path: string) => JSON.parse(img(['info', '--output=json', '-U', path])) as Record<string, unknown>;
const check = (path: string, format: string) => JSON.parse(img(['check', '--output=json', '-f', format, path])) as Record<string, unknown>;
const errCode = (stderr: string): string => (JSON.parse(stderr) as { error: { code: string } }).error.code;
/** A 1 MiB pattern that is not zeros anywhere. */
const pattern = Buffer.alloc(1 << 20, 'virtkit-known-bytes:');

describe('volume commands (CLI, real daemon, real qemu-img)', { timeout: 120_000 }, () => {
  it('vol-create from XML (raw, qcow2, --prealloc-metadata), vol-create-from, full and linked vol-clone', async () => {
    const d = await inProcessDaemon();
    try {
      const vk = (...a: string[]) => cli(d.root, a);
      const images = d.layout.imagesDir;
      const xml = (name: string, fmt: string) => `<volume><name>${name}</name><capacity unit='M'>4</capacity><target><format type='${fmt}'/></target></volume>`;
      await writeFile(join(d.root, 'r.xml'), xml('r.raw', 'raw'));
      await writeFile(join(d.root, 'q.xml'), xml('q.qcow2', 'qcow2'));
      await writeFile(join(d.root, 'm.xml'), xml('m.qcow2', 'qcow2'));
      assert.deepEqual(await vk('vol-create', 'default', 'r.xml'), { code: 0, stdout: 'Vol r.raw created from r.xml\n\n', stderr: '' });
      assert.equal((await vk('vol-create', '--pool', 'default', '--file', 'q.xml')).stdout, 'Vol q.qcow2 created from q.xml\n\n');
      assert.equal((await vk('vol-create', 'default', 'm.xml', '--prealloc-metadata')).code, 0);
      assert.deepEqual([info(join(images, 'r.raw'))['format'], info(join(images, 'r.raw'))['virtual-size']], ['raw', 4 << 20]);
      assert.deepEqual([info(join(images, 'q.qcow2'))['format'], info(join(images, 'q.qcow2'))['virtual-size']], ['qcow2', 4 << 20]);
      assert.equal(check(join(images, 'q.qcow2'), 'qcow2')['check-errors'], 0);
      // Metadata preallocation: the L2 tables are there, so the file is bigger than a bare qcow2.
      assert.ok(Number(info(join(images, 'm.qcow2'))['actual-size']) > Number(info(join(images, 'q.qcow2'))['actual-size']));

      // Known bytes into the raw volume, then copies of it.
      const raw = join(images, 'r.raw');
      const fh = await import('node:fs/promises').then((m) => m.open(raw, 'r+'));
      await fh.write(pattern, 0, pattern.length, 1 << 20);
      await fh.close();
      await writeFile(join(d.root, 'c.xml'), xml('c.qcow2', 'qcow2'));
      assert.deepEqual(await vk('vol-create-from', 'default', 'c.xml', 'r.raw', '--inputpool', 'default'),
        { code: 0, stdout: 'Vol c.qcow2 created from input vol r.raw\n\n', stderr: '' });
      img(['compare', '-f', 'raw', '-F', 'qcow2', raw, join(images, 'c.qcow2')]);
      assert.equal((await vk('vol-create-from', 'default', 'c.xml', 'nope.raw')).stderr,
        "error: failed to get vol 'nope.raw', specifying --inputpool might help\nerror: no storage volume with key or path 'nope.raw' in any active pool\n");
      // A larger <capacity> than the input's grows the copy.
      await writeFile(join(d.root, 'g.xml'), xml('g.qcow2', 'qcow2').replace("<capacity unit='M'>4</capacity>", "<capacity unit='M'>6</capacity>"));
      assert.equal((await vk('vol-create-from', 'default', 'g.xml', raw)).code, 0);
      assert.equal(info(join(images, 'g.qcow2'))['virtual-size'], 6 << 20);
      assert.equal(check(join(images, 'c.qcow2'), 'qcow2')['check-errors'], 0);

      assert.deepEqual(await vk('vol-clone', 'r.raw', 'full.raw', '--pool', 'default'), { code: 0, stdout: 'Vol full.raw cloned from r.raw\n\n', stderr: '' });
      assert.equal(info(join(images, 'full.raw'))['format'], 'raw');
      img(['compare', '-f', 'raw', '-F', 'raw', raw, join(images, 'full.raw')]);

      const linked = JSON.parse((await vk('--json', 'vol-clone', 'r.raw', 'lnk.qcow2', '--pool', 'default', '--linked')).stdout) as Record<string, unknown>;
      assert.deepEqual(linked['backing'], { path: raw, format: 'raw' });
      // The daemon answers a linked clone from its plan, without reading it back: a rescan must agree.
      await vk('pool-refresh', 'default');
      assert.deepEqual(JSON.parse((await vk('--json', 'vol-info', 'lnk.qcow2', '--pool', 'default')).stdout), linked);
      const li = info(join(images, 'lnk.qcow2'));
      assert.deepEqual([li['format'], li['backing-filename'], li['backing-filename-format'], li['virtual-size']], ['qcow2', raw, 'raw', 4 << 20]);
      assert.equal(check(join(images, 'lnk.qcow2'), 'qcow2')['check-errors'], 0);
      img(['compare', '-f', 'raw', '-F', 'qcow2', raw, join(images, 'lnk.qcow2')]);
      // The overlay holds no data of its own: it reads the base's.
      assert.ok(Number(li['actual-size']) < (1 << 20));

      const printed = (await vk('vol-clone', 'q.qcow2', 'p.qcow2', '--pool', 'default', '--print-xml')).stdout;
      assert.match(printed, /<name>p\.qcow2<\/name>/);

      // Refusals, each with its code, and nothing new in the pool.
      const before = (await readdir(images)).sort();
      assert.equal(errCode((await vk('--json', 'vol-clone', 'r.raw', 'full.raw', '--pool', 'default')).stderr), 'VOLUME_EXISTS');
      assert.equal(errCode((await vk('--json', 'vol-clone', 'nope', 'x', '--pool', 'default')).stderr), 'VOLUME_NOT_FOUND');
      assert.equal(errCode((await vk('--json', 'vol-clone', 'r.raw', '../x', '--pool', 'default')).stderr), 'INVALID_NAME');
      // An image whose backing file lies outside every pool is never followed.
      const outside = join(d.root, 'outside.raw');
      await writeFile(outside, pattern);
      img(['create', '-q', '-f', 'qcow2', '-b', outside, '-F', 'raw', join(images, 'evil.qcow2')]);
      assert.equal((await vk('pool-refresh', 'default')).code, 0);
      assert.equal(errCode((await vk('--json', 'vol-clone', 'evil.qcow2', 'e2', '--pool', 'default')).stderr), 'BACKING_NOT_ALLOWED');
      assert.equal(errCode((await vk('--json', 'vol-clone', 'evil.qcow2', 'e3', '--pool', 'default', '--linked')).stderr), 'BACKING_NOT_ALLOWED');
      // The name and the chain are checked at once (volume-copy.ts): a taken or bad name still wins.
      for (const [name, code] of [['r.raw', 'VOLUME_EXISTS'], ['../x', 'INVALID_NAME']] as const) {
        for (const linked of [[], ['--linked']]) {
          assert.equal(errCode((await vk('--json', 'vol-clone', 'evil.qcow2', name, '--pool', 'default', ...linked)).stderr), code, `${name} ${linked.join('')}`);
        }
      }
      // A new volume's backing store outside every pool is refused before qemu-img opens it.
      await writeFile(join(d.root, 'o.xml'), `<volume><name>o.qcow2</name><capacity>1048576</capacity><target><format type='qcow2'/></target>
        <backingStore><path>${outside}</path><format type='raw'/></backingStore></volume>`);
      assert.equal(errCode((await vk('--json', 'vol-create', 'default', 'o.xml', '--validate')).stderr), 'BACKING_NOT_ALLOWED');
      assert.equal(errCode((await vk('--json', 'vol-clone', 'r.raw', 'rl.raw', '--pool', 'default', '--reflink')).stderr), 'UNSUPPORTED_OPERATION');
      assert.deepEqual((await readdir(images)).sort(), [...before, 'evil.qcow2'].sort());
    } finally {
      await d.close();
    }
  });

  it('vol-resize grows, refuses to shrink without --shrink, shrinks with it; vol-wipe zeroes raw and qcow2', async () => {
    const d = await inProcessDaemon();
    try {
      const vk = (...a: string[]) => cli(d.root, a);
      const images = d.layout.imagesDir;
      assert.equal((await vk('vol-create-as', 'default', 'a.qcow2', '8M', '--format', 'qcow2')).code, 0);
      assert.equal((await vk('vol-create-as', 'default', 'b.raw', '8M')).code, 0);
      assert.deepEqual(await vk('vol-resize', 'a.qcow2', '16M', '--pool', 'default'),
        { code: 0, stdout: "Size of volume 'a.qcow2' successfully changed to 16M\n\n", stderr: '' });
      assert.equal(info(join(images, 'a.qcow2'))['virtual-size'], 16 << 20);
      assert.equal((await vk('vol-resize', 'a.qcow2', '4M', '--pool', 'default', '--delta')).code, 0);
      assert.equal(info(join(images, 'a.qcow2'))['virtual-size'], 20 << 20);
      const refused = await vk('--json', 'vol-resize', 'a.qcow2', '1M', '--pool', 'default');
      assert.equal(errCode(refused.stderr), 'VOLUME_SHRINK_REFUSED');
      assert.equal(info(join(images, 'a.qcow2'))['virtual-size'], 20 << 20);
      assert.match((await vk('vol-resize', 'a.qcow2', '1M', '--pool', 'default')).stderr, /Failed to change size of volume 'a.qcow2' to 1M\nerror: cannot shrink volume 'a.qcow2'/);
      assert.equal((await vk('vol-resize', 'a.qcow2', '2M', '--pool', 'default', '--shrink')).code, 0);
      assert.equal(info(join(images, 'a.qcow2'))['virtual-size'], 2 << 20);
      assert.equal((await vk('vol-resize', 'a.qcow2', '--capacity=-1M', '--pool', 'default', '--shrink', '--delta')).code, 0);
      assert.equal(info(join(images, 'a.qcow2'))['virtual-size'], 1 << 20);
      assert.equal(check(join(images, 'a.qcow2'), 'qcow2')['check-errors'], 0);
      // --allocate: the added space of a raw volume is really allocated.
      assert.equal((await vk('vol-resize', 'b.raw', '12M', '--pool', 'default', '--allocate')).code, 0);
      const b = JSON.parse((await vk('--json', 'vol-info', 'b.raw', '--pool', 'default')).stdout) as { capacity: number; allocation: number };
      assert.equal(b.capacity, 12 << 20);
      assert.ok(b.allocation >= 4 << 20, `allocation ${b.allocation}`);

      // Wipe: known bytes in, zeros out; format and capacity kept.
      const rawPath = join(images, 'b.raw');
      await writeFile(rawPath, Buffer.concat([pattern, Buffer.alloc((12 << 20) - pattern.length)]));
      img(['create', '-q', '-f', 'qcow2', join(d.root, 'w.qcow2'), '4M']);
      const qPath = join(images, 'a.qcow2');
      img(['convert', '-n', '-f', 'raw', '-O', 'qcow2', join(d.root, 'w.qcow2'), qPath]);
      execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x5a 0 512k', qPath]);
      assert.deepEqual(await vk('vol-wipe', 'b.raw', '--pool', 'default'), { code: 0, stdout: 'Vol b.raw wiped\n\n', stderr: '' });
      assert.equal((await vk('vol-wipe', qPath, '--algorithm', 'zero')).code, 0);
      const wiped = await readFile(rawPath);
      assert.equal(wiped.length, 12 << 20);
      assert.ok(wiped.every((x) => x === 0));
      assert.deepEqual([info(qPath)['format'], info(qPath)['virtual-size']], ['qcow2', 1 << 20]);
      const read = execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'read -P 0 0 512k', qPath], { encoding: 'utf8' });
      assert.doesNotMatch(read, /Pattern verification failed/);
      assert.equal(errCode((await vk('--json', 'vol-wipe', 'b.raw', '--pool', 'default', '--algorithm', 'gutmann')).stderr), 'UNSUPPORTED_OPERATION');
      assert.equal(errCode((await vk('--json', 'vol-wipe', 'b.raw', '--pool', 'default', '--algorithm', 'nonsense')).stderr), 'INVALID_ARGUMENT');
      assert.deepEqual((await readdir(images)).sort(), ['a.qcow2', 'b.raw']);
    } finally {
      await d.close();
    }
  });

  it('pool-capabilities lists the supported pool types; pool-edit redefines a pool through $EDITOR', async () => {
    const d = await inProcessDaemon();
    try {
      const vk = (...a: string[]) => cli(d.root, a);
      const caps = (await vk('pool-capabilities')).stdout;
      assert.match(caps, /^<storagepoolCapabilities>\n {2}<pool type='dir' supported='yes'>\n {4}<volOptions>\n {6}<defaultFormat type='raw'\/>/);
      assert.match(caps, /<pool type='fs' supported='yes'>\n {4}<poolOptions>\n {6}<defaultFormat type='auto'\/>\n {6}<enum name='sourceFormatType'>\n {8}<value>auto<\/value>\n {8}<value>ext2<\/value>/);
      assert.match(caps, /<pool type='logical' supported='no'\/>/);
      assert.match(caps, /<value>qcow2<\/value>/);

      const dir = join(d.root, 'p1');
      assert.equal((await vk('pool-define-as', 'p1', 'dir', '--target', dir)).code, 0);
      const editor = join(d.root, 'editor.sh');
      const newDir = join(d.root, 'p2');
      await writeFile(editor, `#!/bin/sh\nsed -i 's|${dir}|${newDir}|' "$1"\n`);
      await chmod(editor, 0o755);
      const io = (env: NodeJS.ProcessEnv) => {
        const out = { stdout: '', stderr: '' };
        return { out, io: { stdout: (t: string) => { out.stdout += t; }, stderr: (t: string) => { out.stderr += t; }, env, cwd: d.root } };
      };
      const a = io({ PATH: process.env['PATH'], EDITOR: editor });
      assert.equal(await run(['--root', d.root, 'pool-edit', 'p1'], a.io), 0);
      assert.equal(a.out.stdout, 'Pool p1 XML configuration edited.\n\n');
      assert.match((await vk('pool-dumpxml', 'p1')).stdout, new RegExp(`<path>${newDir}</path>`));
      const same = io({ PATH: process.env['PATH'], EDITOR: 'true' });
      assert.equal(await run(['--root', d.root, 'pool-edit', 'p1'], same.io), 0);
      assert.equal(same.out.stdout, 'Pool p1 XML configuration not changed.\n\n');
      // A definition the daemon refuses changes nothing.
      await writeFile(editor, `#!/bin/sh\nsed -i 's|<pool type=.dir.>|<pool type="nonsense">|' "$1"\n`);
      const bad = io({ PATH: process.env['PATH'], EDITOR: editor });
      assert.equal(await run(['--root', d.root, 'pool-edit', 'p1'], bad.io), 1);
      assert.match(bad.out.stderr, /the definition was not changed/);
      assert.match((await vk('pool-dumpxml', 'p1')).stdout, /<pool type='dir'>/);
    } finally {
      await d.close();
    }
  });
});
