/**
 * A vhdx image's virtual size (MS-VHDX 2.2 and 2.6): the region table at 192 KiB names the
 * metadata region by GUID; its table (signature "metadata") names the Virtual Disk Size item by
 * GUID; that item is a little-endian u64. Three reads, each bounded (64 KiB tables, 8 bytes) and
 * checked against the file's size and the region's length; anything off yields undefined (the
 * file size stands in), never an exception. Checksums are not verified: this is for listing.
 */
import type { ImageSource } from './qcow2-read.js';

const REGION_TABLES = [192 * 1024, 256 * 1024];
const TABLE_BYTES = 64 * 1024;
const MAX_ENTRIES = 2047;
// GUIDs as stored (the first three fields little-endian).
const METADATA_REGION = Uint8Array.from([0x06, 0xa2, 0x7c, 0x8b, 0x90, 0x47, 0x9a, 0x4b, 0xb8, 0xfe, 0x57, 0x5f, 0x05, 0x0f, 0x88, 0x6e]);
const VIRTUAL_DISK_SIZE = Uint8Array.from([0x24, 0x42, 0xa5, 0x2f, 0x1b, 0xcd, 0x76, 0x48, 0xb2, 0x11, 0x5d, 0xbe, 0xd8, 0x3b, 0xf4, 0xb8]);

const guidAt = (b: Uint8Array, at: number, g: Uint8Array): boolean => g.every((x, i) => b[at + i] === x);
const text = (b: Uint8Array, at: number, s: string): boolean => [...s].every((c, i) => b[at + i] === c.charCodeAt(0));

async function readAll(src: ImageSource, offset: number, length: number): Promise<DataView | undefined> {
  if (offset < 0 || length <= 0 || offset + length > src.size) return undefined;
  const b = await src.read(offset, length);
  return b.length === length ? new DataView(b.buffer, b.byteOffset, b.byteLength) : undefined;
}

/** Where the metadata region lies, from the first region table with a valid signature. */
async function metadataRegion(src: ImageSource): Promise<{ offset: number; length: number } | undefined> {
  for (const at of REGION_TABLES) {
    const t = await readAll(src, at, TABLE_BYTES);
    if (t === undefined || !text(new Uint8Array(t.buffer, t.byteOffset, 4), 0, 'regi')) continue;
    const bytes = new Uint8Array(t.buffer, t.byteOffset, t.byteLength);
    const n = t.getUint32(8, true);
    if (n > MAX_ENTRIES) continue;
    for (let i = 0; i < n; i++) {
      const e = 16 + i * 32;
      if (!guidAt(bytes, e, METADATA_REGION)) continue;
      const offset = Number(t.getBigUint64(e + 16, true));
      const length = t.getUint32(e + 24, true);
      return Number.isSafeInteger(offset) ? { offset, length } : undefined;
    }
  }
  return undefined;
}

export async function vhdxVirtualSize(src: ImageSource): Promise<number | undefined> {
  const region = await metadataRegion(src);
  if (region === undefined || region.length < 32) return undefined;
  const t = await readAll(src, region.offset, Math.min(TABLE_BYTES, region.length));
  if (t === undefined) return undefined;
  const bytes = new Uint8Array(t.buffer, t.byteOffset, t.byteLength);
  if (!text(bytes, 0, 'metadata')) return undefined;
  const n = t.getUint16(10, true);
  if (n > MAX_ENTRIES || 32 + n * 32 > bytes.length) return undefined;
  for (let i = 0; i < n; i++) {
    const e = 32 + i * 32;
    if (!guidAt(bytes, e, VIRTUAL_DISK_SIZE)) continue;
    const off = t.getUint32(e + 16, true);
    if (t.getUint32(e + 20, true) !== 8 || off + 8 > region.length) return undefined;
    const v = await readAll(src, region.offset + off, 8);
    const size = v?.getBigUint64(0, true);
    return size !== undefined && size > 0n && size <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(size) : undefined;
  }
  return undefined;
}
