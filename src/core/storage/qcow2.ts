/**
 * The qcow2 header, read by virtkit itself (docs/storage.md, "qcow2 and backing chains").
 * Pure: it takes the bytes the caller read (the first cluster, or the whole file when shorter)
 * and the file's size, and checks every offset and length against that size before trusting it.
 * A header that claims more than the file holds is refused with IMAGE_INVALID; a well-formed one
 * using what virtkit does not read (an unknown version or incompatible feature) with
 * IMAGE_UNSUPPORTED. Layout: QEMU's docs/interop/qcow2.txt.
 */
import { VirtkitError } from '../errors.js';
import { parseExtensions, type Qcow2Extensions } from './qcow2-extensions.js';
import { bytesView, decodeName, imageInvalid, imageUnsupported, u32, u64, unsafeOffset } from './qcow2-bytes.js';

export const QCOW2_MAGIC = 0x514649fb; // "QFI\xfb"
/** Enough bytes to read the fixed header of either version and learn the cluster size. */
export const QCOW2_PROBE_BYTES = 112;
/** QEMU's bounds (block/qcow2.h): cluster bits, L1 entries, refcount table bytes, snapshots. */
export const MIN_CLUSTER_BITS = 9;
export const MAX_CLUSTER_BITS = 21;
export const MAX_L1_ENTRIES = (32 * 1024 * 1024) / 8;
export const MAX_REFTABLE_BYTES = 8 * 1024 * 1024;
export const MAX_SNAPSHOTS = 65536;
const MAX_BACKING_NAME = 1023;

export type Qcow2Encryption = 'none' | 'aes' | 'luks';

export interface Qcow2Header extends Qcow2Extensions {
  readonly version: 2 | 3;
  readonly virtualSize: number;
  readonly clusterBits: number;
  readonly clusterSize: number;
  readonly encryption: Qcow2Encryption;
  readonly l1Size: number;
  readonly l1TableOffset: number;
  readonly refcountTableOffset: number;
  readonly refcountTableClusters: number;
  readonly snapshotCount: number;
  readonly snapshotsOffset: number;
  /** Incompatible features: dirty (bit 0), corrupt (1), external data file (2), compression type (3), extended L2 (4). */
  readonly dirty: boolean;
  readonly corrupt: boolean;
  readonly externalDataFile: boolean;
  readonly extendedL2: boolean;
  /** Compatible feature bit 0. */
  readonly lazyRefcounts: boolean;
  /** Autoclear feature bits 0 (bitmaps extension valid) and 1 (raw external data). */
  readonly bitmapsValid: boolean;
  readonly rawExternalData: boolean;
  readonly compressionType: 'zlib' | 'zstd';
  readonly refcountOrder: number;
  readonly refcountBits: number;
  readonly headerLength: number;
  /** The backing file name exactly as recorded (not resolved, never opened here). */
  readonly backingFile: string | undefined;
}

const KNOWN_INCOMPATIBLE = 0x1fn;

/** The cluster size a qcow2 header announces, to know how many bytes to read; undefined when `probe` is no qcow2 header. */
export function qcow2HeaderBytesNeeded(probe: Uint8Array, fileSize: number): number | undefined {
  if (probe.length < 24 || u32(bytesView(probe), 0) !== QCOW2_MAGIC) return undefined;
  const bits = u32(bytesView(probe), 20);
  if (bits < MIN_CLUSTER_BITS || bits > MAX_CLUSTER_BITS) return Math.min(fileSize, QCOW2_PROBE_BYTES);
  return Math.min(fileSize, 2 ** bits);
}

/** Parses the header in `head` (the file's first cluster, or all of a shorter file) of a file of `fileSize` bytes. */
export function parseQcow2Header(head: Uint8Array, fileSize: number): Qcow2Header {
  const v = bytesView(head);
  if (fileSize < 72 || head.length < 72) throw imageInvalid(`the file is ${fileSize} bytes, too short for a qcow2 header (72 bytes at least)`, { fileSize });
  if (u32(v, 0) !== QCOW2_MAGIC) throw imageInvalid('the file does not start with the qcow2 magic "QFI\\xfb": it is not a qcow2 image', { fileSize });
  const version = u32(v, 4);
  if (version !== 2 && version !== 3) throw imageUnsupported(`qcow2 version ${version} is not supported (virtkit reads versions 2 and 3)`, { version });
  if (version === 3 && head.length < 104) throw imageInvalid(`the file is ${fileSize} bytes, too short for a version 3 header (104 bytes at least)`, { fileSize });
  const clusterBits = u32(v, 20);
  if (clusterBits < MIN_CLUSTER_BITS || clusterBits > MAX_CLUSTER_BITS) {
    throw imageInvalid(`cluster_bits ${clusterBits} is outside ${MIN_CLUSTER_BITS}..${MAX_CLUSTER_BITS}`, { clusterBits });
  }
  const clusterSize = 2 ** clusterBits;
  const headEnd = Math.min(clusterSize, fileSize);
  if (head.length < headEnd) throw new VirtkitError('INTERNAL_ERROR', `parseQcow2Header needs the first ${headEnd} bytes, got ${head.length}`);

  const headerLength = version === 2 ? 72 : u32(v, 100);
  if (version === 3 && (headerLength < 104 || headerLength > clusterSize || headerLength > fileSize)) {
    throw imageInvalid(`header_length ${headerLength} is outside 104..${Math.min(clusterSize, fileSize)} (the cluster, or the file)`, { headerLength });
  }
  const incompatible = version === 3 ? u64(v, 72) : 0n;
  const compatible = version === 3 ? u64(v, 80) : 0n;
  const autoclear = version === 3 ? u64(v, 88) : 0n;
  const unknown = incompatible & ~KNOWN_INCOMPATIBLE;

  const crypt = u32(v, 32);
  const encryption: Qcow2Encryption | undefined = (['none', 'aes', 'luks'] as const)[crypt];
  if (encryption === undefined) throw imageUnsupported(`crypt_method ${crypt} is unknown (0 none, 1 aes, 2 luks)`, { cryptMethod: crypt });
  const refcountOrder = version === 3 ? u32(v, 96) : 4;
  if (refcountOrder > 6) throw imageInvalid(`refcount_order ${refcountOrder} is above 6 (64-bit refcounts)`, { refcountOrder });

  let compressionType: 'zlib' | 'zstd' = 'zlib';
  if (version === 3 && headerLength > 104) {
    const t = v.getUint8(104);
    if (t !== 0 && (incompatible & 8n) === 0n) throw imageInvalid(`compression_type ${t} is set but the compression type feature bit is not`, { compressionType: t });
    if (t > 1) throw imageUnsupported(`compression_type ${t} is unknown (0 zlib, 1 zstd)`, { compressionType: t });
    compressionType = t === 1 ? 'zstd' : 'zlib';
  }

  const size = u64(v, 24);
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw imageInvalid(`the virtual size ${size} bytes is beyond what virtkit handles (2^53 - 1)`, { virtualSize: size.toString() });
  const virtualSize = Number(size);
  const l1Size = u32(v, 36);
  const l1TableOffset = checkedOffset(v, 40, 'l1_table_offset', clusterSize, fileSize);
  const l2Entries = clusterSize / ((incompatible & 16n) !== 0n ? 16 : 8);
  const l1Needed = Math.ceil(virtualSize / (clusterSize * l2Entries));
  if (l1Size > MAX_L1_ENTRIES) throw imageInvalid(`the L1 table has ${l1Size} entries, more than QEMU's bound of ${MAX_L1_ENTRIES}`, { l1Size });
  if (l1Size < l1Needed) throw imageInvalid(`the L1 table (${l1Size} entries) is too small for the virtual size ${virtualSize} (${l1Needed} needed)`, { l1Size, virtualSize });
  if (l1Size > 0) checkRange('the L1 table', l1TableOffset, l1Size * 8, fileSize);

  const refcountTableOffset = checkedOffset(v, 48, 'refcount_table_offset', clusterSize, fileSize);
  const refcountTableClusters = u32(v, 56);
  if (refcountTableClusters === 0 || refcountTableClusters * clusterSize > MAX_REFTABLE_BYTES) {
    throw imageInvalid(`refcount_table_clusters ${refcountTableClusters} is outside 1..${MAX_REFTABLE_BYTES / clusterSize}`, { refcountTableClusters });
  }
  checkRange('the refcount table', refcountTableOffset, refcountTableClusters * clusterSize, fileSize);

  const snapshotCount = u32(v, 60);
  if (snapshotCount > MAX_SNAPSHOTS) throw imageInvalid(`nb_snapshots ${snapshotCount} is above QEMU's bound of ${MAX_SNAPSHOTS}`, { snapshotCount });
  const snapshotsOffset = snapshotCount === 0 ? 0 : checkedOffset(v, 64, 'snapshots_offset', clusterSize, fileSize);
  if (snapshotCount > 0) checkRange('the snapshot table', snapshotsOffset, snapshotCount * 40, fileSize);

  const backingOffset = u64(v, 8);
  const backingSize = u32(v, 16);
  let backingFile: string | undefined;
  if (backingOffset !== 0n) {
    if (backingSize === 0 || backingSize > MAX_BACKING_NAME) throw imageInvalid(`the backing file name is ${backingSize} bytes long (1..${MAX_BACKING_NAME})`, { backingFileSize: backingSize });
    const at = Number(backingOffset > BigInt(headEnd) ? BigInt(headEnd) : backingOffset);
    if (backingOffset > BigInt(headEnd) || at < headerLength || at + backingSize > headEnd) {
      throw imageInvalid(`the backing file name (${backingSize} bytes at offset ${backingOffset}) lies outside the header cluster of ${headEnd} bytes`, {
        backingFileOffset: backingOffset.toString(),
        backingFileSize: backingSize,
      });
    }
    backingFile = decodeName(head.subarray(at, at + backingSize), 'the backing file name');
  }
  const extEnd = backingOffset !== 0n ? Number(backingOffset) : headEnd;
  const extensions = parseExtensions(head, headerLength, extEnd, fileSize);

  if (unknown !== 0n) {
    const names = [...bitsOf(unknown)].map((b) => extensions.featureNames.find((f) => f.type === 'incompatible' && f.bit === b)?.name ?? `bit ${b}`);
    throw imageUnsupported(`the image uses incompatible features virtkit does not know: ${names.join(', ')}`, { features: names });
  }
  if (encryption === 'luks' && extensions.luks === undefined) throw imageInvalid('the image is LUKS-encrypted but has no LUKS header extension', {});

  return {
    version,
    virtualSize,
    clusterBits,
    clusterSize,
    encryption,
    l1Size,
    l1TableOffset,
    refcountTableOffset,
    refcountTableClusters,
    snapshotCount,
    snapshotsOffset,
    dirty: (incompatible & 1n) !== 0n,
    corrupt: (incompatible & 2n) !== 0n,
    externalDataFile: (incompatible & 4n) !== 0n,
    extendedL2: (incompatible & 16n) !== 0n,
    lazyRefcounts: (compatible & 1n) !== 0n,
    bitmapsValid: (autoclear & 1n) !== 0n,
    rawExternalData: (autoclear & 2n) !== 0n,
    compressionType,
    refcountOrder,
    refcountBits: 2 ** refcountOrder,
    headerLength,
    backingFile,
    ...extensions,
  };
}

function* bitsOf(mask: bigint): Generator<number> {
  for (let b = 0; b < 64; b++) if ((mask >> BigInt(b)) & 1n) yield b;
}

/** A table offset: cluster-aligned and inside the file. */
function checkedOffset(v: DataView, at: number, field: string, clusterSize: number, fileSize: number): number {
  const off = u64(v, at);
  if (off >= BigInt(fileSize)) throw imageInvalid(`${field} ${off} points past the end of the file (${fileSize} bytes)`, { field, offset: unsafeOffset(off), fileSize });
  const n = Number(off);
  if (n % clusterSize !== 0) throw imageInvalid(`${field} ${n} is not aligned to the cluster size ${clusterSize}`, { field, offset: n });
  return n;
}

export function checkRange(what: string, offset: number, length: number, fileSize: number): void {
  if (offset + length > fileSize) {
    throw imageInvalid(`${what} (${length} bytes at offset ${offset}) runs past the end of the file (${fileSize} bytes)`, { offset, length, fileSize });
  }
}
