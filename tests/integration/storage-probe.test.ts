/**
 * Images copied into a pool by hand list with the format their magic says (vmdk sparse and
 * descriptor, vdi, vhdx, vpc, qed, qcow v1) and the capacity `qemu-img info --output=json` reports
 * (vhdx's from its metadata region); LUKS volumes (qcow2 and raw) show
 * <encryption format='luks'/> in vol-dumpxml after a refresh and after a daemon restart.
 * Images made by qemu-img itself, placed with a name that says nothing (no extension).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runQemuImgRetrying } from '../../src/host/storage/qemu-img.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { cli, domainXml, inProcessDaemon, quietLog } from './daemon-harness.js';

const img = (args: string[]): string => execFileSync('qemu-img', args, { encoding: 'utf8' });
const qinfo = (path: string, format: string) => JSON.parse(img(['info', '--output=json', '-f', format, path])) as { 'virtual-size': number };
const SECRET = ['--object', 'secret,id=k0,data=hunter2'];
const UUID = '3c9a8f2e-5b1d-4e7a-9c0f-2d6b8e4a1f73';

interface Vol { name: string; format: string; capacity: number }

describe('pool volumes probed by magic (real qemu-img images)', { timeout: 120_000 }, () => {
  it('lists vmdk, vdi, vhdx, vpc, qed and qcow with their format and capacity; LUKS volumes show their encryption', async () => {
    const d = await inProcessDaemon();
    try {
      const vk = (...a: string[]) => cli(d.root, a);
      assert.equal((await vk('vol-list', 'default')).code, 0); // makes the default pool
      const dir = d.layout.imagesDir;
      const make = (name: string, format: string, size: string, ...opts: string[]) => img(['create', '-q', '-f', format, ...opts, join(dir, name), size]);
      make('sparse', 'vmdk', '5M');
      make('stream', 'vmdk', '3M', '-o', 'subformat=streamOptimized');
      make('desc', 'vmdk', '2M', '-o', 'subformat=monolithicFlat'); // also makes desc-flat (raw)
      make('vbox', 'vdi', '7M');
      make('hyperv', 'vhdx', '6M');
      make('virtualpc', 'vpc', '9M');
      make('qed', 'qed', '11M');
      make('old', 'qcow', '12M');
      // LUKS through the retrying runner: QEMU 7.2's PBKDF benchmark fails now and then on a loaded host.
      await runQemuImgRetrying(['create', '-q', '-f', 'luks', ...SECRET, '-o', 'key-secret=k0', join(dir, 'luksraw'), '4M']);
      await runQemuImgRetrying(['create', '-q', '-f', 'qcow2', ...SECRET, '-o', 'encrypt.format=luks,encrypt.key-secret=k0', join(dir, 'luksq'), '8M']);
      await writeFile(join(dir, 'plain'), Buffer.alloc(65536));
      // LUKS volumes virtkit makes itself: their secret is noted beside them and shown after a refresh.
      await writeFile(join(d.root, 's.xml'), `<secret><uuid>${UUID}</uuid><usage type='volume'><volume>any</volume></usage></secret>`);
      await writeFile(join(d.root, 'pw'), 'hunter2');
      assert.equal((await vk('secret-define', join(d.root, 's.xml'))).code, 0);
      assert.equal((await vk('secret-set-value', UUID, '--file', join(d.root, 'pw'), '--plain')).code, 0);
      for (const [name, format] of [['made.qcow2', 'qcow2'], ['made.raw', 'raw']]) {
        await writeFile(join(d.root, 'v.xml'), `<volume><name>${name}</name><capacity unit='M'>2</capacity><target><format type='${format}'/>` +
          `<encryption format='luks'><secret type='passphrase' uuid='${UUID}'/></encryption></target></volume>`);
        const made = await vk('vol-create', 'default', join(d.root, 'v.xml'));
        assert.equal(made.code, 0, made.stderr);
      }
      assert.equal((await vk('pool-refresh', 'default')).code, 0);

      const expected: Record<string, [string, number]> = {
        'sparse': ['vmdk', qinfo(join(dir, 'sparse'), 'vmdk')['virtual-size']],
        'stream': ['vmdk', qinfo(join(dir, 'stream'), 'vmdk')['virtual-size']],
        'desc': ['vmdk', qinfo(join(dir, 'desc'), 'vmdk')['virtual-size']],
        'desc-flat': ['raw', 2 << 20],
        'vbox': ['vdi', qinfo(join(dir, 'vbox'), 'vdi')['virtual-size']],
        'hyperv': ['vhdx', qinfo(join(dir, 'hyperv'), 'vhdx')['virtual-size']],
        'virtualpc': ['vpc', qinfo(join(dir, 'virtualpc'), 'vpc')['virtual-size']],
        'qed': ['qed', qinfo(join(dir, 'qed'), 'qed')['virtual-size']],
        'old': ['qcow', qinfo(join(dir, 'old'), 'qcow')['virtual-size']],
        // qemu-img info of a raw LUKS file without the key: the payload size, as libvirt's capacity.
        'luksraw': ['raw', 4 << 20],
        'luksq': ['qcow2', 8 << 20],
        'plain': ['raw', 65536],
        'made.qcow2': ['qcow2', 2 << 20],
        'made.raw': ['raw', 2 << 20],
      };
      assert.equal(expected['sparse']?.[1], 5 << 20);
      assert.equal(expected['vbox']?.[1], 7 << 20);
      assert.equal(expected['hyperv']?.[1], 6 << 20);
      const check = async (when: string) => {
        const vols = JSON.parse((await vk('--json', 'vol-list', 'default', '--details')).stdout) as Vol[];
        const got = Object.fromEntries(vols.map((v) => [v.name, [v.format, v.capacity]]));
        assert.deepEqual(got, expected, when);
        for (const name of ['luksraw', 'luksq']) {
          const xml = (await vk('vol-dumpxml', name, '--pool', 'default')).stdout;
          assert.match(xml, /<encryption format='luks'\/>/, `${name} ${when}`);
        }
        for (const name of ['made.qcow2', 'made.raw']) {
          const xml = (await vk('vol-dumpxml', name, '--pool', 'default')).stdout;
          assert.match(xml, new RegExp(`<encryption format='luks'>\\s*<secret type='passphrase' uuid='${UUID}'/>\\s*</encryption>`), `${name} ${when}`);
        }
        assert.doesNotMatch((await vk('vol-dumpxml', 'sparse', '--pool', 'default')).stdout, /<encryption/, when);
        assert.match((await vk('vol-dumpxml', 'vbox', '--pool', 'default')).stdout, /<format type='vdi'\/>/, when);
      };
      await check('after pool-refresh');
      assert.match((await vk('vol-dumpxml', 'hyperv', '--pool', 'default')).stdout, /<format type='vhdx'\/>/);

      // A guest never gets a format guessed from magic: a volume disk on the vmdk must name it.
      const disk = (driver: string) => `<devices><disk type='volume' device='disk'>${driver}<source pool='default' volume='sparse'/><target dev='vda' bus='virtio'/></disk></devices>\n`;
      await writeFile(join(d.root, 'g.xml'), domainXml('g', disk('')));
      assert.equal((await vk('define', join(d.root, 'g.xml'))).code, 0);
      const start = await vk('--json', 'start', 'g');
      assert.equal((JSON.parse(start.stderr) as { error: { code: string } }).error.code, 'XML_MISSING', start.stderr);
      assert.match(start.stderr, /looks like vmdk.*<driver type='vmdk'\/>/);
      assert.equal((await vk('undefine', 'g')).code, 0);
      // A vmdk descriptor names other files (its flat extent): copying it would read them, so it is refused.
      const clone = await vk('--json', 'vol-clone', 'desc', 'desc-copy', '--pool', 'default');
      assert.equal((JSON.parse(clone.stderr) as { error: { code: string } }).error.code, 'IMAGE_UNSUPPORTED', clone.stderr);
      // A vdi has no other files: it clones as a vdi.
      assert.equal((await vk('vol-clone', 'vbox', 'vbox2', '--pool', 'default')).code, 0);
      img(['compare', '-f', 'vdi', '-F', 'vdi', join(dir, 'vbox'), join(dir, 'vbox2')]);
      assert.equal((await vk('vol-delete', 'vbox2', '--pool', 'default')).code, 0);
      // An encrypted volume's capacity is its payload's: resizing or wiping it without the key is refused.
      for (const argv of [['vol-resize', 'luksraw', '8M'], ['vol-wipe', 'luksq']]) {
        const r = await vk('--json', ...argv, '--pool', 'default');
        assert.equal((JSON.parse(r.stderr) as { error: { code: string } }).error.code, 'UNSUPPORTED_OPERATION', r.stderr);
      }
      await d.daemon.close();
      const again = await startDaemon({ layout: d.layout, log: quietLog(), autostart: false });
      try {
        await check('after a daemon restart');
        // The note goes with its volume; a note without a volume is removed at the next refresh.
        assert.equal((await vk('vol-delete', 'made.raw', '--pool', 'default')).code, 0);
        assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('.')), ['.made.qcow2.vk-secret']);
        await rm(join(dir, 'made.qcow2'));
        assert.equal((await vk('pool-refresh', 'default')).code, 0);
        assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('.')), []);
      } finally {
        await again.close();
      }
    } finally {
      await d.close().catch(() => undefined);
    }
  });
});
