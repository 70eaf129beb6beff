/**
 * snapshot-create-as with one --diskspec per disk, through the CLI against a real rooted daemon
 * and a running TCG guest with three disks: vda gets an external overlay at the path asked (qcow2
 * driver), vdb is skipped (snapshot=no) and vdc (raw) gets an overlay at another path. The guest
 * then writes to each disk: the overlays take vda's and vdc's writes while their images keep
 * what they held, vdb's image takes its write directly and has no overlay. --memspec (external
 * memory) is refused with the daemon's reason.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GUEST_APPEND, GUEST_READY_MARKER, GUEST_SHELL, guestDomainXml, virtioDiskXml } from '../helpers/guest.js';
import { GuestShell } from '../helpers/guest-shell.js';
import { cli, inProcessDaemon } from './daemon-harness.js';

const qemuIo = (format: string, cmd: string, path: string): string => execFileSync('qemu-io', ['-f', format, '-c', cmd, path], { encoding: 'utf8' });
/** Whether the `length` bytes at `offset` all hold `pattern`. */
const holds = (path: string, format: string, pattern: number, offset = 0, length = 65536): boolean => !qemuIo(format, `read -P ${pattern} ${offset} ${length}`, path).includes('Pattern verification failed');
/** The first bytes of the image's content, as text. */
const head = (path: string, format: string, n: number): string => {
  const out = qemuIo(format, `read -v 0 ${n}`, path);
  return [...out.matchAll(/^[0-9a-f]+: {2}((?:[0-9a-f]{2} ?)+)/gm)].flatMap((m) => (m[1] ?? '').trim().split(' ')).map((h) => String.fromCharCode(parseInt(h, 16))).join('');
};

describe('snapshot-create-as --diskspec per disk (CLI, real daemon, running guest)', { timeout: 180_000 }, () => {
  it('puts an overlay on each disk asked, at the path asked, and leaves the skipped disk alone', async () => {
    const d = await inProcessDaemon();
    try {
      const vk = (...a: string[]) => cli(d.root, a);
      const [a, b, c] = ['a.qcow2', 'b.qcow2', 'c.raw'].map((f) => join(d.root, f)) as [string, string, string];
      execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', a, '8M']);
      execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', b, '8M']);
      execFileSync('qemu-img', ['create', '-q', '-f', 'raw', c, '8M']);
      qemuIo('qcow2', 'write -P 0x11 0 64k', a);
      qemuIo('qcow2', 'write -P 0x22 0 64k', b);
      qemuIo('raw', 'write -P 0x33 0 64k', c);
      const devices = virtioDiskXml(a, 'vda', 'qcow2') + virtioDiskXml(b, 'vdb', 'qcow2') + virtioDiskXml(c, 'vdc', 'raw');
      await writeFile(join(d.root, 'g.xml'), await guestDomainXml('g', { append: `${GUEST_APPEND} ${GUEST_SHELL}`, devices }));
      assert.equal((await vk('define', 'g.xml')).code, 0);
      assert.equal((await vk('start', 'g')).code, 0);
      const shell = new GuestShell((await d.daemon.engine.dispatch({ kind: 'console', name: 'g' })).stream);
      await shell.waitFor(GUEST_READY_MARKER);

      const mem = await vk('snapshot-create-as', 'g', 'm1', '--memspec', join(d.root, 'g.mem'));
      assert.equal(mem.code, 1);
      assert.match(mem.stderr, /external memory snapshots are not supported yet/);
      assert.ok(!existsSync(join(d.root, 'g.mem')));

      const [ovA, ovC] = [join(d.root, 'ov-a.qcow2'), join(d.root, 'ov,c.qcow2')];
      const made = await vk('snapshot-create-as', 'g', 's1', '--disk-only',
        '--diskspec', `vda,snapshot=external,file=${ovA},driver=qcow2`, '--diskspec', 'vdb,snapshot=no', '--diskspec', `vdc,file=${ovC.replace(',', ',,')}`);
      assert.deepEqual(made, { code: 0, stdout: 'Domain snapshot s1 created\n', stderr: '' });
      const live = (await vk('dumpxml', 'g')).stdout;
      for (const [dev, file, type] of [['vda', ovA, 'qcow2'], ['vdb', b, 'qcow2'], ['vdc', ovC, 'qcow2']] as const) {
        assert.match(live, new RegExp(`<driver name='qemu' type='${type}'/>\\s*<source file='${file}'/>(\\s*<backingStore[^]*?)?\\s*<target dev='${dev}'`), `${dev} runs on ${file}`);
      }
      assert.match((await vk('dumpxml', 'g', '--inactive')).stdout, new RegExp(`<source file='${ovA}'/>`), 'the persistent definition too');
      const info = (f: string) => JSON.parse(execFileSync('qemu-img', ['info', '-U', '--output=json', f], { encoding: 'utf8' })) as Record<string, unknown>;
      assert.deepEqual([info(ovA)['backing-filename'], info(ovA)['backing-filename-format']], [a, 'qcow2']);
      assert.deepEqual([info(ovC)['backing-filename'], info(ovC)['backing-filename-format']], [c, 'raw']);
      assert.ok(!existsSync(join(d.root, 'b.s1')), 'no overlay for the skipped disk');
      assert.match((await vk('snapshot-dumpxml', 'g', 's1')).stdout,
        new RegExp(`<disks>\\s*<disk name='vda' snapshot='external' type='file'>\\s*<driver type='qcow2'/>\\s*<source file='${ovA}'/>\\s*</disk>\\s*<disk name='vdb' snapshot='no'/>\\s*<disk name='vdc' snapshot='external' type='file'>`));

      await shell.check('echo hello-a > /dev/vda && echo hello-b > /dev/vdb && echo hello-c > /dev/vdc && sync');
      assert.equal((await vk('destroy', 'g')).code, 0);
      assert.equal(head(ovA, 'qcow2', 8), 'hello-a\n', 'vda\'s write went into its overlay');
      assert.ok(holds(a, 'qcow2', 0x11), 'vda\'s image is as it was at the snapshot');
      assert.equal(head(b, 'qcow2', 8), 'hello-b\n', 'vdb (snapshot=no) took its write directly');
      assert.ok(holds(b, 'qcow2', 0x22, 4096, 61440), 'and holds the rest of what it had');
      assert.equal(head(ovC, 'qcow2', 8), 'hello-c\n');
      assert.ok(holds(c, 'raw', 0x33), 'vdc\'s raw image is as it was at the snapshot');
      assert.deepEqual((JSON.parse(execFileSync('qemu-img', ['info', '--output=json', b], { encoding: 'utf8' })) as { snapshots?: unknown[] }).snapshots ?? [], [], 'no internal snapshot on the skipped disk');
    } finally {
      await cli(d.root, ['destroy', 'g']);
      await d.close();
    }
  });
});
