// The image's layout; that it really runs is tests/integration/qemu-probe/kvm-probe.test.ts (under TCG).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProbeRom, PROBE_EXIT_STATUS, PROBE_ROM_SIZE } from './kvm-probe-rom.js';

test('the probe ROM is 64 KiB (QEMU wants a multiple of 64 KiB) and deterministic', () => {
  const rom = buildProbeRom();
  assert.equal(rom.length, PROBE_ROM_SIZE);
  assert.deepEqual(buildProbeRom(), rom);
  assert.equal(PROBE_EXIT_STATUS, 85);
});

test('reset vector jumps to F000:0100, where the code starts with cli and the R marker', () => {
  const rom = buildProbeRom();
  assert.deepEqual([...rom.subarray(0xfff0, 0xfff5)], [0xea, 0x00, 0x01, 0x00, 0xf0]);
  assert.deepEqual([...rom.subarray(0x100, 0x105)], [0xfa, 0xb0, 0x52, 0xe6, 0xe9]);
});

test('GDT has flat 32-bit code and data and a 64-bit code segment; its descriptor points at it', () => {
  const rom = buildProbeRom();
  const desc = (sel: number) => [...rom.subarray(0x200 + sel, 0x208 + sel)];
  assert.deepEqual(desc(0), [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(desc(0x08)[5], 0x9a);
  assert.equal(desc(0x08)[6], 0xcf, '32-bit, 4 KiB granularity');
  assert.equal(desc(0x10)[5], 0x92);
  assert.equal(desc(0x18)[6], 0xaf, 'L bit set, D clear');
  assert.deepEqual([...rom.subarray(0x220, 0x226)], [31, 0, 0x00, 0x02, 0x0f, 0x00], 'limit 31, base 0xF0200');
});

test('the far jumps land inside the code, and the exit value goes to the exit port', () => {
  const rom = buildProbeRom();
  const bytes = [...rom.subarray(0x100, 0x200)];
  const find = (seq: number[]) => bytes.findIndex((_, i) => seq.every((b, j) => bytes[i + j] === b));
  const pm = find([0x66, 0xea]);
  const pmTarget = (bytes[pm + 2] ?? 0) | ((bytes[pm + 3] ?? 0) << 8) | ((bytes[pm + 4] ?? 0) << 16);
  assert.equal(pmTarget - 0xf0000, 0x100 + pm + 8, 'protected-mode entry right after the jump');
  assert.ok(find([0xb0, 0x50, 0xe6, 0xe9]) > pm, "'P' marker in 32-bit code");
  assert.ok(find([0xb0, 0x4c, 0xe6, 0xe9]) > pm, "'L' marker in 64-bit code");
  assert.ok(find([0xb0, 0x2a, 0xe6, 0xf4]) > 0, 'out 0xf4, 0x2a');
});
