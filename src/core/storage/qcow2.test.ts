import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildQcow2, memorySource } from '../../../tests/helpers/qcow2-build.js';
import { seeded } from '../../../tests/helpers/seeded-random.js';
import { isVirtkitError } from '../errors.js';
import { detectImageMagic } from './image-magic.js';
import { parseQcow2Header } from './qcow2.js';
import { readQcow2 } from './qcow2-read.js';

const refused = (code: string, re: RegExp) => (e: unknown) => isVirtkitError(e) && e.code === code && re.test(e.message);
const parse = (f: Buffer, size = f.length) => parseQcow2Header(f.subarray(0, Math.min(size, 512)), size);

describe('qcow2 header: what a well-formed image says', () => {
  test('a plain v3 image', () => {
    const h = parse(buildQcow2());
    assert.equal(h.version, 3);
    assert.equal(h.virtualSize, 1048576);
    assert.equal(h.clusterSize, 512);
    assert.equal(h.encryption, 'none');
    assert.equal(h.refcountBits, 16);
    assert.equal(h.compressionType, 'zlib');
    assert.deepEqual([h.dirty, h.corrupt, h.lazyRefcounts, h.extendedL2, h.externalDataFile], [false, false, false, false, false]);
    assert.equal(h.backingFile, undefined);
    assert.equal(h.backingFormat, undefined);
  });

  test('v2 has no feature bits and 16-bit refcounts', () => {
    const h = parse(buildQcow2({ version: 2 }));
    assert.equal(h.version, 2);
    assert.equal(h.headerLength, 72);
    assert.equal(h.refcountBits, 16);
  });

  test('backing file and format, data file, feature bits, zstd, refcount order', () => {
    const h = parse(buildQcow2({
      backingFile: '../base.raw',
      backingFormat: 'raw',
      dataFile: 'data.bin',
      incompatible: 1n | 2n | 4n | 8n,
      compatible: 1n,
      autoclear: 2n,
      compressionType: 1,
      refcountOrder: 3,
    }));
    assert.equal(h.backingFile, '../base.raw');
    assert.equal(h.backingFormat, 'raw');
    assert.equal(h.dataFile, 'data.bin');
    assert.deepEqual([h.dirty, h.corrupt, h.externalDataFile, h.lazyRefcounts, h.rawExternalData], [true, true, true, true, true]);
    assert.equal(h.compressionType, 'zstd');
    assert.equal(h.refcountBits, 8);
  });

  test('extended L2 halves the entries per L2 table (so the L1 table must be larger)', () => {
    const f = buildQcow2({ incompatible: 16n, virtualSize: 65536n * 4n });
    assert.equal(parse(f).extendedL2, true);
    assert.equal(parse(f).l1Size, 16);
    f.writeUInt32BE(8, 36); // enough for 8-byte L2 entries, not for 16-byte ones
    assert.throws(() => parse(f), refused('IMAGE_INVALID', /16 needed/));
  });

  test('the snapshot table: id, name, vm state size, dates, disk size', async () => {
    const f = buildQcow2({ snapshots: [{ id: '1', name: 'first', vmStateSize: 4096 }, { id: '2', name: 'zweite-ü', extra: 16 }] });
    const info = await readQcow2(memorySource(f));
    assert.equal(info.snapshots.length, 2);
    assert.deepEqual(info.snapshots.map((s) => [s.id, s.name, s.vmStateSize, s.diskSize, s.icount, s.vmClockNsec]), [
      ['1', 'first', 4096, 1048576, undefined, 5_000_000_123],
      ['2', 'zweite-ü', 0, 1048576, undefined, 5_000_000_123],
    ]);
    assert.equal(info.snapshots[0]?.dateSec, 1_700_000_000);
  });

  test('every read of readQcow2 lies inside the file', async () => {
    const f = buildQcow2({ clusterBits: 16, snapshots: [{ id: '1', name: 's' }] });
    const src = memorySource(f);
    await readQcow2(src);
    assert.ok(src.reads.length >= 2);
    for (const [o, l] of src.reads) assert.ok(o + l <= f.length, `read ${l} at ${o} past ${f.length}`);
  });

  test('detectImageMagic only recognizes the qcow2 magic', () => {
    assert.equal(detectImageMagic(buildQcow2()), 'qcow2');
    assert.equal(detectImageMagic(Buffer.from('QFI')), undefined);
    assert.equal(detectImageMagic(Buffer.alloc(512)), undefined);
  });
});

describe('qcow2 header: malicious or damaged headers are refused with a stable code', () => {
  const cases: [string, () => Buffer, string, RegExp, number?][] = [
    ['not qcow2 at all', () => Buffer.alloc(4096), 'IMAGE_INVALID', /qcow2 magic/],
    ['shorter than a header', () => buildQcow2().subarray(0, 40), 'IMAGE_INVALID', /too short/],
    ['a v3 header cut at 100 bytes', () => buildQcow2().subarray(0, 100), 'IMAGE_INVALID', /too short for a version 3 header/],
    ['version 4', () => buildQcow2({ patch: (f) => f.writeUInt32BE(4, 4) }), 'IMAGE_UNSUPPORTED', /version 4/],
    ['cluster_bits 40', () => buildQcow2({ patch: (f) => f.writeUInt32BE(40, 20) }), 'IMAGE_INVALID', /cluster_bits 40/],
    ['a virtual size of 2^63', () => buildQcow2({ patch: (f) => f.writeBigUInt64BE(1n << 63n, 24) }), 'IMAGE_INVALID', /virtual size/],
    ['a huge virtual size the L1 table cannot cover', () => buildQcow2({ patch: (f) => f.writeBigUInt64BE(1n << 50n, 24) }), 'IMAGE_INVALID', /L1 table \(\d+ entries\) is too small/],
    ['a huge size with an L1 table to match, past the end', () => buildQcow2({ clusterBits: 16, patch: (f) => { f.writeBigUInt64BE(1n << 50n, 24); f.writeUInt32BE(1 << 21, 36); } }), 'IMAGE_INVALID', /L1 table .* runs past the end/],
    ['an L1 table offset past the end', () => buildQcow2({ patch: (f) => f.writeBigUInt64BE(1n << 40n, 40) }), 'IMAGE_INVALID', /l1_table_offset \d+ points past the end/],
    ['an unaligned L1 table', () => buildQcow2({ patch: (f) => f.writeBigUInt64BE(3n * 512n + 8n, 40) }), 'IMAGE_INVALID', /not aligned/],
    ['a refcount table past the end', () => buildQcow2({ patch: (f) => f.writeBigUInt64BE(0xffffffffffff0000n, 48) }), 'IMAGE_INVALID', /refcount_table_offset/],
    ['a refcount table longer than the file', () => buildQcow2({ patch: (f) => f.writeUInt32BE(1000, 56) }), 'IMAGE_INVALID', /refcount table .* runs past/],
    ['a million snapshots', () => buildQcow2({ patch: (f) => f.writeUInt32BE(1_000_000, 60) }), 'IMAGE_INVALID', /nb_snapshots/],
    ['a snapshot table past the end', () => buildQcow2({ snapshots: [{ id: '1', name: 'a' }], patch: (f) => f.writeBigUInt64BE(1n << 41n, 64) }), 'IMAGE_INVALID', /snapshots_offset/],
    ['a backing name offset past the first cluster', () => buildQcow2({ backingFile: 'b', patch: (f) => f.writeBigUInt64BE(1n << 33n, 8) }), 'IMAGE_INVALID', /backing file name .* outside the header cluster/],
    ['a backing name of 5000 bytes', () => buildQcow2({ backingFile: 'b', patch: (f) => f.writeUInt32BE(5000, 16) }), 'IMAGE_INVALID', /5000 bytes long/],
    ['a backing name with a NUL byte', () => buildQcow2({ backingFile: Buffer.from('/tmp/x\0/etc/shadow') }), 'IMAGE_INVALID', /NUL/],
    ['a header extension longer than the header area', () => buildQcow2({ extensions: [{ type: 0x1234, data: Buffer.alloc(8) }], patch: (f) => f.writeUInt32BE(100_000, 116) }), 'IMAGE_INVALID', /extension 0x1234 .* runs past/],
    ['a backing format of 40 bytes', () => buildQcow2({ backingFile: 'b', backingFormat: 'q'.repeat(40) }), 'IMAGE_INVALID', /backing format extension is 40 bytes/],
    ['a backing format that is no word', () => buildQcow2({ backingFile: 'b', backingFormat: 'raw x' }), 'IMAGE_INVALID', /printable ASCII/],
    ['header_length below 104', () => buildQcow2({ patch: (f) => f.writeUInt32BE(80, 100) }), 'IMAGE_INVALID', /header_length 80/],
    ['header_length past the cluster', () => buildQcow2({ patch: (f) => f.writeUInt32BE(1 << 20, 100) }), 'IMAGE_INVALID', /header_length/],
    ['compression type without its feature bit', () => buildQcow2({ compressionType: 1 }), 'IMAGE_INVALID', /compression type feature bit/],
    ['unknown crypt method', () => buildQcow2({ cryptMethod: 7 }), 'IMAGE_UNSUPPORTED', /crypt_method 7/],
    ['LUKS without its header extension', () => buildQcow2({ cryptMethod: 2 }), 'IMAGE_INVALID', /LUKS/],
    ['a LUKS header past the end', () => buildQcow2({ cryptMethod: 2, extensions: [{ type: 0x0537be77, data: Buffer.from('00000000000100000000000000010000', 'hex') }] }), 'IMAGE_INVALID', /LUKS header .* past the end/],
    ['refcount_order 9', () => buildQcow2({ refcountOrder: 9 }), 'IMAGE_INVALID', /refcount_order 9/],
  ];
  for (const [name, make, code, re] of cases) {
    test(name, async () => {
      const f = make();
      await assert.rejects(readQcow2(memorySource(f)), refused(code, re));
    });
  }

  test('an unknown incompatible feature is named from the image\'s feature table', () => {
    const entry = Buffer.alloc(48);
    entry.writeUInt8(0, 0);
    entry.writeUInt8(7, 1);
    entry.write('time travel', 2);
    const f = buildQcow2({ incompatible: 1n << 7n, extensions: [{ type: 0x6803f857, data: entry }] });
    assert.throws(() => parse(f), refused('IMAGE_UNSUPPORTED', /time travel/));
    assert.throws(() => parse(buildQcow2({ incompatible: 1n << 9n })), refused('IMAGE_UNSUPPORTED', /bit 9/));
  });

  test('a truncated image: tables past the real end', async () => {
    const f = buildQcow2({ clusterBits: 16 });
    await assert.rejects(readQcow2(memorySource(f.subarray(0, 65536 + 100))), refused('IMAGE_INVALID', /past the end of the file/));
  });

  test('a source that returns fewer bytes than its size promised', async () => {
    const f = buildQcow2({ snapshots: [{ id: '1', name: 'a' }] });
    await assert.rejects(readQcow2(memorySource(f.subarray(0, 1024), f.length)), refused('IMAGE_INVALID', /shorter than its size said/));
  });

  test('snapshot entries: extra data over 1024, names past the table, an L1 table past the end', async () => {
    const snap = { id: '1', name: 'a' };
    const off = 4 * 512;
    await assert.rejects(readQcow2(memorySource(buildQcow2({ snapshots: [snap], patch: (f) => f.writeUInt32BE(5000, off + 36) }))), refused('IMAGE_INVALID', /5000 bytes of extra data/));
    await assert.rejects(readQcow2(memorySource(buildQcow2({ snapshots: [snap], patch: (f) => f.writeUInt16BE(60000, off + 14) }))), refused('IMAGE_INVALID', /runs past the end of the snapshot table/));
    await assert.rejects(readQcow2(memorySource(buildQcow2({ snapshots: [snap], patch: (f) => f.writeBigUInt64BE(1n << 40n, off) }))), refused('IMAGE_INVALID', /L1 table .* past the end/));
  });
});

test('mutated headers (seeded): every outcome is a parse or an IMAGE_* refusal, never a crash, never a read past the end', async () => {
  const rand = seeded(7);
  const base = buildQcow2({ backingFile: 'base.raw', backingFormat: 'raw', snapshots: [{ id: '1', name: 'a' }, { id: '2', name: 'b' }] });
  const outcomes = new Map<string, number>();
  for (let i = 0; i < 3000; i++) {
    const f = Buffer.from(base);
    const r = rand(9);
    const n = 1 + ((r[0] ?? 0) % 4);
    for (let k = 0; k < n; k++) f[(((r[1 + 2 * k] ?? 0) << 8) | (r[2 + 2 * k] ?? 0)) % 256] = r[8 - k] ?? 0;
    const cut = (r[8] ?? 0) < 16 ? ((r[7] ?? 0) * 13) % f.length : f.length;
    const src = memorySource(f.subarray(0, cut));
    let outcome = 'parsed';
    try {
      await readQcow2(src);
    } catch (e) {
      assert.ok(isVirtkitError(e) && /^IMAGE_(INVALID|UNSUPPORTED)$/.test(e.code), `mutation ${i}: ${String(e)}`);
      outcome = e.code;
    }
    for (const [o, l] of src.reads) assert.ok(o + l <= cut, `mutation ${i}: read ${l} at ${o} of a ${cut}-byte file`);
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  // The mutations must exercise both sides, else this test proves nothing.
  assert.ok((outcomes.get('parsed') ?? 0) > 100 && (outcomes.get('IMAGE_INVALID') ?? 0) > 100, JSON.stringify([...outcomes]));
});
