import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memorySource } from '../../../tests/helpers/qcow2-build.js';
import { seeded } from '../../../tests/helpers/seeded-random.js';
import { vhdxVirtualSize } from './image-probe-vhdx.js';

const METADATA_REGION = [0x06, 0xa2, 0x7c, 0x8b, 0x90, 0x47, 0x9a, 0x4b, 0xb8, 0xfe, 0x57, 0x5f, 0x05, 0x0f, 0x88, 0x6e];
const VIRTUAL_DISK_SIZE = [0x24, 0x42, 0xa5, 0x2f, 0x1b, 0xcd, 0x76, 0x48, 0xb2, 0x11, 0x5d, 0xbe, 0xd8, 0x3b, 0xf4, 0xb8];
const MiB = 1 << 20;

/** The layout qemu-img writes: region table at 192 KiB, metadata region at 3 MiB, the size item 64 KiB + 8 into it. */
function vhdx(size: bigint): Buffer {
  const f = Buffer.alloc(4 * MiB);
  f.write('vhdxfile', 0, 'latin1');
  const rt = 192 * 1024;
  f.write('regi', rt, 'latin1');
  f.writeUInt32LE(2, rt + 8);
  Buffer.from(Array(16).fill(0x11)).copy(f, rt + 16); // the BAT region: not looked at
  Buffer.from(METADATA_REGION).copy(f, rt + 48);
  f.writeBigUInt64LE(BigInt(3 * MiB), rt + 48 + 16);
  f.writeUInt32LE(MiB, rt + 48 + 24);
  const md = 3 * MiB;
  f.write('metadata', md, 'latin1');
  f.writeUInt16LE(2, md + 10);
  Buffer.from(Array(16).fill(0x22)).copy(f, md + 32);
  Buffer.from(VIRTUAL_DISK_SIZE).copy(f, md + 64);
  f.writeUInt32LE(0x10008, md + 64 + 16);
  f.writeUInt32LE(8, md + 64 + 20);
  f.writeBigUInt64LE(size, md + 0x10008);
  return f;
}

test('vhdx: the Virtual Disk Size item of the metadata region, in three bounded reads', async () => {
  const src = memorySource(vhdx(6n * BigInt(MiB)));
  assert.equal(await vhdxVirtualSize(src), 6 * MiB);
  assert.ok(src.reads.every(([, l]) => l <= 64 * 1024), JSON.stringify(src.reads));
  assert.equal(src.reads.length, 3);
});

test('vhdx: a broken or hostile layout gives no size, never a throw', async () => {
  assert.equal(await vhdxVirtualSize(memorySource(vhdx(0n))), undefined);
  assert.equal(await vhdxVirtualSize(memorySource(vhdx(1n << 60n))), undefined);
  const noTable = vhdx(1n);
  noTable.write('xxxx', 192 * 1024, 'latin1');
  assert.equal(await vhdxVirtualSize(memorySource(noTable)), undefined);
  const far = vhdx(1n);
  far.writeBigUInt64LE(1n << 40n, 192 * 1024 + 48 + 16); // the metadata region past the end of the file
  assert.equal(await vhdxVirtualSize(memorySource(far)), undefined);
  const short = vhdx(1n);
  assert.equal(await vhdxVirtualSize(memorySource(short.subarray(0, 300 * 1024))), undefined);
  const rnd = seeded(0x5d);
  for (let i = 0; i < 300; i++) {
    const f = vhdx(BigInt(MiB));
    // Random bytes over the two tables' headers and first entries.
    const at = i % 2 === 0 ? 192 * 1024 : 3 * MiB;
    Buffer.from(rnd(128)).copy(f, at + (i % 96));
    const size = await vhdxVirtualSize(memorySource(f));
    assert.ok(size === undefined || (Number.isSafeInteger(size) && size > 0));
  }
});
