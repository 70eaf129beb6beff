// Real images made by qemu-img: the qcow2 reader must say what `qemu-img info --output=json`
// says, field by field; `qemu-img check` must find each image clean; the backing chain the
// walker builds must be the one `qemu-img info --backing-chain` shows.
import assert from 'node:assert/strict';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isVirtkitError } from '../../../src/core/errors.js';
import { walkBackingChain } from '../../../src/core/storage/backing-chain.js';
import type { CreateSpec } from '../../../src/core/storage/qemu-img-args.js';
import { fileChainReader, imageFileFacts, imageMagicOf, readQcow2File } from '../../../src/host/storage/image-files.js';
import { QemuImg, runQemuImg } from '../../../src/host/storage/qemu-img.js';
import { compareWithQemuImg } from './compare-qemu-img.js';

const img = new QemuImg();
let dir = '';
const p = (n: string): string => join(dir, n);
const MiB = 1048576;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'virtkit-qcow2-'));
  await writeFile(p('key'), 'correct horse battery staple');
  await writeFile(p('data.raw'), Buffer.alloc(2 * MiB, 0x5a));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const qcow2Cases: [string, Omit<CreateSpec, 'path' | 'format'>, (f: string) => Promise<void>][] = [
  ['v2.qcow2', { size: 8 * MiB, options: { compat: '0.10' } }, async () => {}],
  ['v3.qcow2', { size: 64 * MiB }, async () => {}],
  ['lazy.qcow2', { size: 16 * MiB, options: { lazy_refcounts: true, cluster_size: 4096, refcount_bits: 8 } }, async () => {}],
  ['l2.qcow2', { size: 3 * MiB, options: { extended_l2: true, cluster_size: 128 * 1024 } }, async () => {}],
  ['zstd.qcow2', { size: MiB, options: { compression_type: 'zstd', cluster_size: 2 * MiB } }, async () => {}],
  ['big.qcow2', { size: 2 ** 40 }, async () => {}],
  ['empty.qcow2', { size: 0 }, async () => {}],
  ['prealloc.qcow2', { size: 64 * MiB, options: { preallocation: 'metadata' } }, async () => {}],
  ['base.qcow2', { size: 4 * MiB, backing: { path: 'data.raw', format: 'raw' } }, async () => {}],
  ['mid.qcow2', { size: 4 * MiB, backing: { path: 'base.qcow2', format: 'qcow2' } }, async () => {}],
  ['snaps.qcow2', { size: 4 * MiB, options: { compat: '1.1' } }, async (f) => {
    await img.snapshot({ path: f, format: 'qcow2' }, 'create', 'first');
    await img.snapshot({ path: f, format: 'qcow2' }, 'create', 'zweite Sicherung');
  }],
  ['snaps-v2.qcow2', { size: 4 * MiB, options: { compat: '0.10' } }, (f) => img.snapshot({ path: f, format: 'qcow2' }, 'create', 's')],
  ['luks.qcow2', { size: 4 * MiB, secret: { id: 'sec0', file: '' } }, async () => {}],
  ['bitmaps.qcow2', { size: 4 * MiB }, async (f) => {
    for (const b of ['b0', 'b1']) await runQemuImg(['bitmap', '--add', '-f', 'qcow2', '--', f, b]);
  }],
  // data_file is named absolute here, so the test never depends on qemu-img's working directory
  ['datafile.qcow2', { size: 4 * MiB, options: { data_file: '@DIR@/datafile.raw', data_file_raw: true } }, async () => {}],
];

describe('qcow2 images made by qemu-img, read by virtkit', () => {
  for (const [name, spec, then] of qcow2Cases) {
    test(name, async () => {
      const f = p(name);
      const secret = spec.secret === undefined ? undefined : { id: spec.secret.id, file: p('key') };
      const options = Object.fromEntries(Object.entries(spec.options ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v.replace('@DIR@', dir) : v]));
      await img.create({ ...spec, options, path: f, format: 'qcow2', ...(secret ? { secret } : {}) });
      await then(f);
      const { info, facts } = await readQcow2File(f);
      compareWithQemuImg(name, info, facts, await img.info({ path: f, format: 'qcow2' }));
      const c = await img.check({ path: f, format: 'qcow2', ...(secret ? { secret } : {}) });
      assert.deepEqual([c.checkErrors, c.corruptions, c.leaks], [0, 0, 0], `${name}: qemu-img check`);
    });
  }

  test('compressed clusters (convert -c, with progress) read like any qcow2', async () => {
    const seen: number[] = [];
    await img.convert({ source: { path: p('data.raw'), format: 'raw' }, target: { path: p('comp.qcow2'), format: 'qcow2' }, compress: true }, { onProgress: (x) => seen.push(x) });
    assert.equal(seen.at(-1), 100, `progress: ${seen.join(' ')}`);
    assert.deepEqual(seen, [...seen].sort((a, b) => a - b), 'progress only goes up');
    const { info, facts } = await readQcow2File(p('comp.qcow2'));
    compareWithQemuImg('comp.qcow2', info, facts, await img.info({ path: p('comp.qcow2'), format: 'qcow2' }));
    assert.ok(facts.allocation < 2 * MiB, `2 MiB of one byte compresses: ${facts.allocation}`);
    const c = await img.check({ path: p('comp.qcow2'), format: 'qcow2' });
    assert.deepEqual([c.checkErrors, c.corruptions, c.leaks, c.compressedClusters], [0, 0, 0, (2 * MiB) / 65536], JSON.stringify(c));
    // Compressed data has no plain host offset: map says data, and no offset.
    assert.deepEqual((await img.map({ path: p('comp.qcow2'), format: 'qcow2' })).map((e) => [e.data, e.offset]), [[true, undefined]]);
  });

  test('bitmaps and an external data file, as the reader and the walker see them', async () => {
    assert.equal((await readQcow2File(p('bitmaps.qcow2'))).info.bitmaps?.count, 2);
    const d = (await readQcow2File(p('datafile.qcow2'))).info;
    assert.deepEqual([d.externalDataFile, d.rawExternalData, d.dataFile], [true, true, p('datafile.raw')]);
    const chain = await walkBackingChain({ path: p('datafile.qcow2'), format: 'qcow2' }, fileChainReader);
    assert.equal(chain[0]?.dataFile, p('datafile.raw'));
    await assert.rejects(
      walkBackingChain({ path: p('datafile.qcow2'), format: 'qcow2' }, fileChainReader, { allow: (_f, role) => (role === 'data-file' ? 'no data files here' : true) }),
      (e: unknown) => isVirtkitError(e) && e.code === 'BACKING_NOT_ALLOWED',
    );
  });

  test('the chain mid -> base -> data.raw, as the walker and qemu-img see it', async () => {
    const chain = await walkBackingChain({ path: p('mid.qcow2'), format: 'qcow2' }, fileChainReader);
    const theirs = await img.infoChain({ path: p('mid.qcow2'), format: 'qcow2' });
    assert.deepEqual(chain.map((l) => [l.path, l.format]), theirs.map((t) => [t.filename.startsWith('/') ? t.filename : p(t.filename), t.format]));
    assert.deepEqual(chain.map((l) => l.formatFrom), ['caller', 'image', 'image']);
  });

  test('raw, vmdk and vdi: real allocation, no qcow2 magic, and checked', async () => {
    for (const [name, format] of [['r.raw', 'raw'], ['v.vmdk', 'vmdk'], ['d.vdi', 'vdi']] as const) {
      await img.create({ path: p(name), format, size: 8 * MiB });
      const q = await img.info({ path: p(name), format });
      const facts = await imageFileFacts(p(name));
      assert.equal(q.virtualSize, 8 * MiB, name);
      assert.equal(facts.allocation, q.actualSize, `${name}: actual-size`);
      assert.ok(facts.allocation < facts.size || format !== 'raw', `${name}: a sparse raw file occupies less than its size`);
      assert.equal(await imageMagicOf(p(name)), undefined, name);
      if (format === 'raw') {
        await assert.rejects(img.check({ path: p(name), format }), (e: unknown) => isVirtkitError(e) && e.code === 'UNSUPPORTED_OPERATION' && /does not support checks/.test(e.message));
      } else {
        const c = await img.check({ path: p(name), format });
        assert.deepEqual([c.checkErrors, c.corruptions, c.leaks], [0, 0, 0], name);
      }
    }
  });

  test('resize, rebase and commit through the adapter; a failure quotes qemu-img', async () => {
    await img.create({ path: p('top.qcow2'), format: 'qcow2', size: 4 * MiB, backing: { path: p('base.qcow2'), format: 'qcow2' } });
    await img.resize({ path: p('top.qcow2'), format: 'qcow2' }, 8 * MiB);
    assert.equal((await readQcow2File(p('top.qcow2'))).info.virtualSize, 8 * MiB);
    await assert.rejects(img.resize({ path: p('top.qcow2'), format: 'qcow2' }, MiB), (e: unknown) => isVirtkitError(e) && e.code === 'QEMU_IMG_FAILED' && /--shrink/.test(e.message));
    await img.commit({ path: p('top.qcow2'), format: 'qcow2' }, { onProgress: () => {} });
    await img.rebase({ path: p('top.qcow2'), format: 'qcow2' }, null, { unsafe: true });
    const { info, facts } = await readQcow2File(p('top.qcow2'));
    assert.equal(info.backingFile, undefined);
    compareWithQemuImg('top.qcow2', info, facts, await img.info({ path: p('top.qcow2'), format: 'qcow2' }));
    await assert.rejects(img.info({ path: p('nothing.qcow2'), format: 'qcow2' }), (e: unknown) => isVirtkitError(e) && e.code === 'QEMU_IMG_FAILED' && /Could not open/.test(e.message));
  });
});
