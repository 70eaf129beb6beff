/**
 * The pieces of a qemu-img command line that libvirt derives from a volume: the
 * format qemu-img is told (-f / -O), the `-o` option string, the LUKS secret
 * object and the sizes. Pure; every refusal has a stable code and the volume's
 * element path. Values that go inside QEMU's key=value syntax have their commas
 * doubled (core/qemu/argv/escape.ts).
 */
import { VirtkitError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import { escapeOptValue } from '../qemu/argv/escape.js';
import type { VolumeDef } from '../xml/storage/index.js';

export function refuse(code: ErrorCode, path: string, message: string): VirtkitError {
  return new VirtkitError(code, `${path}: ${message}`, { details: { path } });
}

/** Formats qemu-img can create or write (bochs, cloop, dmg are read-only there). */
const WRITABLE = new Set(['raw', 'iso', 'qcow2', 'qcow', 'qed', 'vmdk', 'vdi', 'vpc', 'luks']);

export interface ImgInfo {
  /** The XML format ('raw', 'qcow2', 'iso', 'luks'...). */
  format: string;
  /** What qemu-img is told: iso is raw; raw or luks with LUKS encryption is 'luks'. */
  driver: string;
  encrypted: boolean;
}

/** The format of a volume as qemu-img sees it; `path` names the volume in messages. */
export function imgInfo(vol: VolumeDef, path: string, writing: boolean): ImgInfo {
  const format = vol.target?.format?.type;
  if (format === undefined) {
    throw refuse('XML_MISSING', `${path}/target/format`, "the volume's format is not known: give <format type='...'/> (virtkit never guesses it from the content)");
  }
  if (writing && !WRITABLE.has(format)) {
    throw refuse('XML_UNSUPPORTED', `${path}/target/format/@type`, `qemu-img cannot create a '${format}' image (use raw or qcow2)`);
  }
  const enc = vol.target?.encryption;
  if (enc && enc.format !== 'luks') {
    throw refuse('XML_UNSUPPORTED', `${path}/target/encryption/@format`, `encryption format '${enc.format}' is not supported: use 'luks'`);
  }
  if (enc && format !== 'raw' && format !== 'qcow2' && format !== 'luks') {
    throw refuse('XML_UNSUPPORTED', `${path}/target/encryption`, `LUKS encryption is for raw and qcow2 volumes, not '${format}'`);
  }
  if (format === 'luks' && !enc) {
    throw refuse('XML_MISSING', `${path}/target/encryption`, "a 'luks' volume needs <encryption format='luks'><secret type='passphrase' uuid='...'/></encryption>");
  }
  if (enc && enc.secret === undefined) {
    throw refuse('XML_MISSING', `${path}/target/encryption/secret`, "LUKS encryption needs <secret type='passphrase' uuid='...'/>");
  }
  const driver = format === 'iso' ? 'raw' : enc && format !== 'qcow2' ? 'luks' : format;
  return { format, driver, encrypted: enc !== undefined };
}

const QEMU_ID = /^[A-Za-z][A-Za-z0-9._-]{0,100}$/;

/** libvirt's secret id, NAME_encrypt0, when NAME makes a valid QEMU id; else a fixed one. */
export function secretAlias(name: string, fallback: string): string {
  const alias = `${name}_encrypt0`;
  return QEMU_ID.test(alias) ? alias : fallback;
}

/** `--object secret,id=ALIAS,file=PATH`: qemu-img reads the key from the file, never from argv. */
export function secretObject(alias: string, file: string): string[] {
  return ['--object', `secret,id=${alias},file=${escapeOptValue(file, 'secret file')}`];
}

/** The LUKS keys of -o: key-secret and the cipher, prefixed encrypt. inside a qcow2 image. */
function encryptionOpts(vol: VolumeDef, qcow2: boolean, alias: string): string[] {
  const enc = vol.target?.encryption;
  if (!enc) return [];
  const p = qcow2 ? 'encrypt.' : '';
  const out = qcow2 ? ['encrypt.format=luks'] : [];
  out.push(`${p}key-secret=${alias}`);
  const c = enc.cipher;
  if (!c) return out;
  out.push(`${p}cipher-alg=${escapeOptValue(c.name, 'cipher name')}-${c.size}`);
  if (c.mode !== undefined) out.push(`${p}cipher-mode=${escapeOptValue(c.mode, 'cipher mode')}`);
  if (c.hash !== undefined) out.push(`${p}hash-alg=${escapeOptValue(c.hash, 'cipher hash')}`);
  const iv = enc.ivgen;
  if (!iv) return out;
  out.push(`${p}ivgen-alg=${escapeOptValue(iv.name, 'ivgen name')}`);
  if (iv.hash !== undefined) out.push(`${p}ivgen-hash-alg=${escapeOptValue(iv.hash, 'ivgen hash')}`);
  return out;
}

/** KiB, rounded up, as libvirt passes sizes: '5242880K'. */
export function sizeArg(bytes: number): string {
  return `${Math.ceil(bytes / 1024)}K`;
}

export interface OptsInput {
  vol: VolumeDef;
  info: ImgInfo;
  backingFormat?: string | undefined;
  preallocMetadata: boolean;
  secretAlias?: string | undefined;
}

/**
 * The `-o` value, in libvirt's order: backing_fmt, encryption, preallocation, nocow,
 * compat (0.10 for qcow2 when none is given, as libvirt), cluster_size, qcow2 features.
 * Refuses qcow2-only settings on other formats and features compat 0.10 cannot hold.
 */
export function createOptions(o: OptsInput): string | undefined {
  const t = o.vol.target ?? {};
  const qcow2 = o.info.format === 'qcow2';
  if (t.compat !== undefined && !qcow2) throw refuse('XML_CONFLICT', '/volume/target/compat', `a compat level is for qcow2 volumes, not '${o.info.format}'`);
  if (t.features !== undefined && !qcow2) throw refuse('XML_CONFLICT', '/volume/target/features', `format features are for qcow2 volumes, not '${o.info.format}'`);
  const opts: string[] = [];
  if (o.backingFormat !== undefined) opts.push(`backing_fmt=${o.backingFormat}`);
  if (o.info.encrypted) opts.push(...encryptionOpts(o.vol, qcow2, o.secretAlias ?? ''));
  if (o.preallocMetadata) {
    const size = Math.ceil((o.vol.capacity?.value ?? 0) / 1024);
    const alloc = Math.ceil((o.vol.allocation?.value ?? 0) / 1024);
    opts.push(size > alloc ? 'preallocation=metadata' : 'preallocation=falloc');
  }
  if (t.nocow !== undefined) opts.push('nocow=on');
  const compat = t.compat ?? (qcow2 ? '0.10' : undefined);
  if (compat !== undefined) opts.push(`compat=${compat}`);
  if (t.clusterSize !== undefined && t.clusterSize.value > 0) opts.push(`cluster_size=${t.clusterSize.value}`);
  if (t.features?.lazy_refcounts !== undefined) {
    if (compat === '0.10') throw refuse('XML_CONFLICT', '/volume/target/features/lazy_refcounts', 'lazy_refcounts needs compat 1.1, but <compat> is 0.10');
    opts.push('lazy_refcounts');
  }
  if (t.features?.extended_l2 !== undefined) {
    if (compat === '0.10') throw refuse('XML_CONFLICT', '/volume/target/features/extended_l2', 'extended_l2 needs compat 1.1, but <compat> is 0.10');
    opts.push('extended_l2=on');
  }
  return opts.length > 0 ? opts.join(',') : undefined;
}
