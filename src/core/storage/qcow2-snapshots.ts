/**
 * The qcow2 internal snapshot table: `count` variable-length entries at the header's
 * snapshots_offset, each padded to 8 bytes. The caller reads `snapshotTableBytes(header)` bytes
 * from there (bounded by the file and by QEMU's own limits) and passes them in.
 */
import { bytesView, decodeName, imageInvalid, u16, u32, u64 } from './qcow2-bytes.js';
import type { Qcow2Header } from './qcow2.js';

/** QEMU's bounds: extra data per entry, and the whole table. */
export const MAX_SNAPSHOT_EXTRA = 1024;
export const MAX_SNAPSHOT_TABLE_BYTES = 1024 * 65536;
const MAX_ENTRY = 40 + MAX_SNAPSHOT_EXTRA + 2 * 65535 + 7;

export interface Qcow2Snapshot {
  readonly id: string;
  readonly name: string;
  readonly vmStateSize: number;
  readonly dateSec: number;
  readonly dateNsec: number;
  readonly vmClockNsec: number;
  /** The guest disk's size when the snapshot was taken (extra data; undefined in old images). */
  readonly diskSize: number | undefined;
  /** Instruction count under record/replay; undefined when not recorded. */
  readonly icount: number | undefined;
  readonly l1TableOffset: number;
  readonly l1Size: number;
}

/** How many bytes to read at header.snapshotsOffset: what the table may span, never past the file. */
export function snapshotTableBytes(h: Qcow2Header, fileSize: number): number {
  if (h.snapshotCount === 0) return 0;
  return Math.min(fileSize - h.snapshotsOffset, MAX_SNAPSHOT_TABLE_BYTES, h.snapshotCount * MAX_ENTRY);
}

export function parseSnapshotTable(table: Uint8Array, h: Qcow2Header, fileSize: number): Qcow2Snapshot[] {
  const v = bytesView(table);
  const out: Qcow2Snapshot[] = [];
  let at = 0;
  const need = (n: number, what: string): void => {
    if (at + n > table.length) {
      throw imageInvalid(`snapshot ${out.length + 1} of ${h.snapshotCount}: its ${what} runs past the end of the snapshot table (${table.length} bytes readable at offset ${h.snapshotsOffset})`, {
        snapshot: out.length + 1,
        offset: h.snapshotsOffset + at,
      });
    }
  };
  for (let i = 0; i < h.snapshotCount; i++) {
    need(40, 'fixed part');
    const l1TableOffset = u64(v, at);
    const l1Size = u32(v, at + 8);
    const idSize = u16(v, at + 12);
    const nameSize = u16(v, at + 14);
    const extraSize = u32(v, at + 36);
    if (extraSize > MAX_SNAPSHOT_EXTRA) throw imageInvalid(`snapshot ${i + 1} claims ${extraSize} bytes of extra data (at most ${MAX_SNAPSHOT_EXTRA})`, { snapshot: i + 1 });
    if (l1TableOffset + BigInt(l1Size) * 8n > BigInt(fileSize) || l1TableOffset % BigInt(h.clusterSize) !== 0n) {
      throw imageInvalid(`snapshot ${i + 1}'s L1 table (${l1Size} entries at offset ${l1TableOffset}) is unaligned or runs past the end of the file (${fileSize} bytes)`, {
        snapshot: i + 1,
        offset: l1TableOffset.toString(),
      });
    }
    const base = at;
    at += 40;
    need(extraSize + idSize + nameSize, 'extra data, id and name');
    const extra = bytesView(table.subarray(at, at + extraSize));
    const vmStateLarge = extraSize >= 8 ? u64(extra, 0) : undefined;
    const diskSize = extraSize >= 16 ? u64(extra, 8) : undefined;
    const icount = extraSize >= 24 ? u64(extra, 16) : undefined;
    at += extraSize;
    const id = decodeName(table.subarray(at, at + idSize), `snapshot ${i + 1}'s id`);
    at += idSize;
    const name = decodeName(table.subarray(at, at + nameSize), `snapshot ${i + 1}'s name`);
    at += nameSize;
    at = Math.ceil(at / 8) * 8;
    const vmState = vmStateLarge !== undefined && vmStateLarge !== 0n ? vmStateLarge : BigInt(u32(v, base + 32));
    out.push({
      id,
      name,
      vmStateSize: safe(vmState, i, 'vm state size'),
      dateSec: u32(v, base + 16),
      dateNsec: u32(v, base + 20),
      vmClockNsec: safe(u64(v, base + 24), i, 'vm clock'),
      diskSize: diskSize === undefined ? undefined : safe(diskSize, i, 'disk size'),
      icount: icount === undefined || icount === 0xffffffffffffffffn ? undefined : safe(icount, i, 'icount'),
      l1TableOffset: Number(l1TableOffset),
      l1Size,
    });
  }
  return out;
}

function safe(n: bigint, i: number, what: string): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw imageInvalid(`snapshot ${i + 1}'s ${what} ${n} is beyond 2^53 - 1`, { snapshot: i + 1 });
  return Number(n);
}
