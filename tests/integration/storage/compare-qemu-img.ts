/** The qcow2 reader's view of an image against `qemu-img info --output=json`, field by field. */
import assert from 'node:assert/strict';
import type { Qcow2Info } from '../../../src/core/storage/qcow2-read.js';
import type { QemuImgInfo } from '../../../src/core/storage/qemu-img-json.js';
import type { ImageFileFacts } from '../../../src/host/storage/image-files.js';

/** Every key of qemu-img's qcow2 format-specific data, and what the reader says for it. */
function mineFor(key: string, m: Qcow2Info): unknown {
  switch (key) {
    case 'compat': return m.version === 2 ? '0.10' : '1.1';
    case 'compression-type': return m.compressionType;
    case 'lazy-refcounts': return m.lazyRefcounts;
    case 'refcount-bits': return m.refcountBits;
    case 'corrupt': return m.corrupt;
    case 'extended-l2': return m.extendedL2;
    case 'data-file': return m.dataFile;
    case 'data-file-raw': return m.rawExternalData;
    case 'bitmaps': return undefined;
    default: throw new Error(`qemu-img reports '${key}', which the comparison does not know: teach it`);
  }
}

export function compareWithQemuImg(what: string, m: Qcow2Info, facts: ImageFileFacts, q: QemuImgInfo): void {
  const eq = (a: unknown, b: unknown, field: string): void => assert.deepEqual(a, b, `${what}: ${field}`);
  eq(m.virtualSize, q.virtualSize, 'virtual-size');
  eq(m.clusterSize, q.clusterSize, 'cluster-size');
  eq(facts.allocation, q.actualSize, 'actual-size (st_blocks * 512)');
  eq(m.dirty, q.dirty, 'dirty-flag');
  eq(m.encryption !== 'none', q.encrypted, 'encrypted');
  eq(m.backingFile, q.backingFilename, 'backing-filename');
  eq(m.backingFormat, q.backingFormat, 'backing-filename-format');
  eq(q.formatSpecific?.type, 'qcow2', 'format-specific.type');
  const data = q.formatSpecific?.data ?? {};
  for (const [k, v] of Object.entries(data)) {
    if (k === 'encrypt') eq(m.encryption, (v as { format?: string }).format, 'encrypt.format');
    else if (k === 'bitmaps') eq(m.bitmaps?.count ?? 0, (v as unknown[]).length, 'bitmaps');
    else eq(mineFor(k, m), v, k);
  }
  if (m.version === 3) {
    for (const k of ['lazy-refcounts', 'corrupt', 'extended-l2']) assert.ok(k in data, `${what}: qemu-img omits ${k} for a v3 image`);
  }
  eq(m.snapshots.length, q.snapshots.length, 'snapshots');
  m.snapshots.forEach((s, i) => {
    const t = q.snapshots[i];
    eq([s.id, s.name, s.vmStateSize, s.dateSec, s.dateNsec, Math.floor(s.vmClockNsec / 1e9), s.vmClockNsec % 1e9], [t?.id, t?.name, t?.vmStateSize, t?.dateSec, t?.dateNsec, t?.vmClockSec, t?.vmClockNsec], `snapshot ${i + 1}`);
    eq(s.icount, t?.icount, `snapshot ${i + 1} icount`);
  });
}
