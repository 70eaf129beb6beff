import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../../tests/helpers/paths.js';
import { isVirtkitError } from '../errors.js';
import { ProgressParser, parseQemuImgCheck, parseQemuImgInfo, parseQemuImgInfoChain, parseQemuImgMap } from './qemu-img-json.js';

const dir = join(repoRoot, 'tests', 'fixtures', 'qemu-img');
const read = (n: string): string => readFileSync(join(dir, n), 'utf8');
const used = new Set<string>(['README.md']);
const fixture = (n: string): string => {
  used.add(n);
  return read(n);
};

test('info: a qcow2 overlay with a backing format and an internal snapshot', () => {
  const i = parseQemuImgInfo(fixture('info-qcow2-backing-snapshot.json'));
  assert.equal(i.format, 'qcow2');
  assert.equal(i.virtualSize, 4194304);
  assert.equal(i.clusterSize, 65536);
  assert.equal(i.backingFilename, 'base.raw');
  assert.equal(i.backingFormat, 'raw');
  assert.equal(i.dirty, false);
  assert.deepEqual(i.snapshots.map((s) => [s.id, s.name, s.vmStateSize, s.icount]), [['1', 'snap1', 0, 0]]);
  assert.equal(i.formatSpecific?.data['lazy-refcounts'], true);
  assert.equal(i.formatSpecific?.data['compat'], '1.1');
});

test('info: LUKS-encrypted qcow2, v2 qcow2, raw, vmdk, and a backing chain', () => {
  const luks = parseQemuImgInfo(fixture('info-qcow2-luks.json'));
  assert.equal(luks.encrypted, true);
  assert.deepEqual((luks.formatSpecific?.data['encrypt'] as Record<string, unknown>)['format'], 'luks');
  assert.equal(parseQemuImgInfo(fixture('info-qcow2-v2.json')).formatSpecific?.data['compat'], '0.10');
  const raw = parseQemuImgInfo(fixture('info-raw.json'));
  assert.deepEqual([raw.format, raw.clusterSize, raw.formatSpecific, raw.snapshots], ['raw', undefined, undefined, []]);
  assert.equal(parseQemuImgInfo(fixture('info-vmdk.json')).formatSpecific?.type, 'vmdk');
  assert.deepEqual(parseQemuImgInfoChain(fixture('info-chain.json')).map((x) => x.format), ['qcow2', 'raw']);
});

test('check: clean, corruptions, leaks', () => {
  assert.deepEqual(pick(parseQemuImgCheck(fixture('check-clean.json'))), [0, 0, 0]);
  assert.deepEqual(pick(parseQemuImgCheck(fixture('check-corruptions.json'))), [0, 1, 0]);
  assert.deepEqual(pick(parseQemuImgCheck(fixture('check-leaks.json'))), [0, 0, 1]);
});
const pick = (c: ReturnType<typeof parseQemuImgCheck>) => [c.checkErrors, c.corruptions, c.leaks];

test('map: extents of an overlay whose data lies in its backing file', () => {
  const m = parseQemuImgMap(fixture('map-overlay.json'));
  assert.deepEqual(m.map((e) => [e.start, e.length, e.depth, e.data, e.zero]), [[0, 4096, 1, true, false], [4096, 4190208, 1, false, true]]);
});

test('progress: every record of convert -p, however the output is cut into chunks', () => {
  const text = fixture('convert-progress.txt');
  const whole = new ProgressParser().push(text);
  assert.equal(whole[0], 0);
  assert.equal(whole.at(-1), 100);
  assert.ok(whole.includes(6.25) && whole.includes(93.75), whole.join(' '));
  for (const size of [1, 3, 7, 16]) {
    const p = new ProgressParser();
    const got: number[] = [];
    for (let i = 0; i < text.length; i += size) got.push(...p.push(text.slice(i, i + size)));
    assert.deepEqual(got, whole, `chunks of ${size}`);
  }
});

test('output that is not what qemu-img prints is refused with QEMU_IMG_FAILED', () => {
  const bad = (e: unknown) => isVirtkitError(e) && e.code === 'QEMU_IMG_FAILED';
  assert.throws(() => parseQemuImgInfo('Image resized.'), bad);
  assert.throws(() => parseQemuImgInfo('{"format":"qcow2","filename":"x"}'), (e: unknown) => bad(e) && /"virtual-size" is missing/.test((e as Error).message));
  assert.throws(() => parseQemuImgCheck('[]'), bad);
  assert.throws(() => parseQemuImgMap('{}'), bad);
  assert.throws(() => parseQemuImgInfoChain('{}'), bad);
});

test('every fixture in tests/fixtures/qemu-img is read by a test above', () => {
  assert.deepEqual(readdirSync(dir).filter((n) => !used.has(n)), []);
});
