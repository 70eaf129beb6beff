/**
 * Hand-built qcow2 images in memory, for the reader's unit tests: a valid image by default
 * (header, refcount table and block, L1 table, optional snapshot table), every field
 * overridable so that a test can build exactly the malformed header it means.
 */
export interface BuildOptions {
  version?: 2 | 3;
  clusterBits?: number;
  virtualSize?: bigint;
  backingFile?: string | Uint8Array;
  backingFormat?: string;
  dataFile?: string;
  incompatible?: bigint;
  compatible?: bigint;
  autoclear?: bigint;
  cryptMethod?: number;
  refcountOrder?: number;
  compressionType?: number;
  snapshots?: readonly { id: string; name: string; vmStateSize?: number; dateSec?: number; extra?: number }[];
  /** Extra header extensions (type, data), written before the end marker. */
  extensions?: readonly { type: number; data: Uint8Array }[];
  /** Applied last: raw writes into the finished file. */
  patch?: (file: Buffer) => void;
}

const pad8 = (n: number): number => Math.ceil(n / 8) * 8;

export function buildQcow2(o: BuildOptions = {}): Buffer {
  const version = o.version ?? 3;
  const bits = o.clusterBits ?? 9;
  const cs = 2 ** bits;
  const size = o.virtualSize ?? 1048576n;
  const l2Entries = BigInt(cs / (((o.incompatible ?? 0n) & 16n) !== 0n ? 16 : 8));
  const l1Size = Number((size + BigInt(cs) * l2Entries - 1n) / (BigInt(cs) * l2Entries));
  const l1Clusters = Math.max(1, Math.ceil((l1Size * 8) / cs));
  const snapCluster = 3 + l1Clusters;
  const snapBytes = encodeSnapshots(o.snapshots ?? [], version, cs);
  const clusters = snapCluster + Math.ceil(snapBytes.length / cs) + 1;
  const f = Buffer.alloc(clusters * cs);
  f.writeUInt32BE(0x514649fb, 0);
  f.writeUInt32BE(version, 4);
  f.writeUInt32BE(bits, 20);
  f.writeBigUInt64BE(size, 24);
  f.writeUInt32BE(o.cryptMethod ?? 0, 32);
  f.writeUInt32BE(l1Size, 36);
  f.writeBigUInt64BE(BigInt(3 * cs), 40);
  f.writeBigUInt64BE(BigInt(cs), 48);
  f.writeUInt32BE(1, 56);
  f.writeUInt32BE(o.snapshots?.length ?? 0, 60);
  f.writeBigUInt64BE(o.snapshots?.length ? BigInt(snapCluster * cs) : 0n, 64);
  let at = 72;
  if (version === 3) {
    f.writeBigUInt64BE(o.incompatible ?? 0n, 72);
    f.writeBigUInt64BE(o.compatible ?? 0n, 80);
    f.writeBigUInt64BE(o.autoclear ?? 0n, 88);
    f.writeUInt32BE(o.refcountOrder ?? 4, 96);
    f.writeUInt32BE(112, 100);
    f.writeUInt8(o.compressionType ?? 0, 104);
    at = 112;
  }
  const exts = [...(o.extensions ?? [])];
  if (o.backingFormat !== undefined) exts.unshift({ type: 0xe2792aca, data: Buffer.from(o.backingFormat) });
  if (o.dataFile !== undefined) exts.push({ type: 0x44415441, data: Buffer.from(o.dataFile) });
  for (const e of exts) {
    f.writeUInt32BE(e.type, at);
    f.writeUInt32BE(e.data.length, at + 4);
    f.set(e.data, at + 8);
    at += 8 + pad8(e.data.length);
  }
  at += 8; // end marker (zeros)
  if (o.backingFile !== undefined) {
    const name = typeof o.backingFile === 'string' ? Buffer.from(o.backingFile) : o.backingFile;
    f.writeBigUInt64BE(BigInt(at), 8);
    f.writeUInt32BE(name.length, 16);
    f.set(name, at);
  }
  // refcount table -> block at cluster 2; every used cluster has refcount 1
  f.writeBigUInt64BE(BigInt(2 * cs), cs);
  for (let c = 0; c < clusters - 1; c++) f.writeUInt16BE(1, 2 * cs + 2 * c);
  f.set(snapBytes, snapCluster * cs);
  o.patch?.(f);
  return f;
}

function encodeSnapshots(snaps: NonNullable<BuildOptions['snapshots']>, version: number, cs: number): Buffer {
  const parts = snaps.map((s, i) => {
    const extra = s.extra ?? (version === 3 ? 24 : 0);
    const id = Buffer.from(s.id);
    const name = Buffer.from(s.name);
    const e = Buffer.alloc(pad8(40 + extra + id.length + name.length));
    e.writeBigUInt64BE(BigInt(3 * cs), 0); // shares the active L1 table's cluster: fine for a header reader
    e.writeUInt32BE(1, 8);
    e.writeUInt16BE(id.length, 12);
    e.writeUInt16BE(name.length, 14);
    e.writeUInt32BE(s.dateSec ?? 1_700_000_000 + i, 16);
    e.writeUInt32BE(1234, 20);
    e.writeBigUInt64BE(5_000_000_123n, 24);
    e.writeUInt32BE(s.vmStateSize ?? 0, 32);
    e.writeUInt32BE(extra, 36);
    if (extra >= 16) e.writeBigUInt64BE(1048576n, 40 + 8);
    if (extra >= 24) e.writeBigUInt64BE(0xffffffffffffffffn, 40 + 16);
    id.copy(e, 40 + extra);
    name.copy(e, 40 + extra + id.length);
    return e;
  });
  return Buffer.concat(parts);
}

/** An in-memory byte source that records every read. */
export function memorySource(file: Uint8Array, size = file.length): { size: number; reads: [number, number][]; read(o: number, l: number): Promise<Uint8Array> } {
  const reads: [number, number][] = [];
  return {
    size,
    reads,
    read: (o, l) => {
      reads.push([o, l]);
      return Promise.resolve(file.subarray(o, Math.min(o + l, file.length)));
    },
  };
}
