/**
 * Plans of qemu-img commands that create or convert a volume (pure: the host
 * layer runs them, a golden test compares them with libvirt's own).
 *
 *   planVolumeCreate  vol-create / vol-create-as (no input) and vol-create-from /
 *                     a full vol-clone (input volume): libvirt's command, option for option
 *   planLinkedClone   a qcow2 overlay on a source image: create -f qcow2 -b SRC -F FMT
 *   planImport        an image file of a known format into a pool: convert -p -O FMT -f FMT
 *
 * Each plan is a list of steps, each a full argv whose first element is the bare
 * program name 'qemu-img' (the host layer resolves it). Undoing a failed plan is
 * removing the target path. LUKS keys are never on the command line: the caller
 * writes each key to a file and passes its path; the command names it in a
 * `--object secret,...,file=PATH`. Formats are never probed: an input's, a
 * backing store's and a source's format are explicit, else the plan is refused.
 */
import type { PoolDef, VolumeDef } from '../xml/storage/index.js';
import { hasProtocolPrefix } from '../xml/storage/index.js';
import { escapeOptValue } from '../qemu/argv/escape.js';
import { createOptions, imgInfo, refuse, secretAlias, secretObject, sizeArg } from './qemu-img-options.js';

export const QEMU_IMG = 'qemu-img';

export interface QemuImgStep {
  kind: 'create' | 'convert';
  argv: string[];
}

export interface QemuImgPlan {
  /** The file every step writes (remove it to undo). */
  target: string;
  steps: QemuImgStep[];
}

export interface VolumeCreateRequest {
  /** The target pool and volume, after preparePool / prepareVolume. */
  pool: PoolDef;
  vol: VolumeDef;
  /** vol-create-from and a full clone: the volume to copy (prepared, in its own pool). */
  input?: { pool: PoolDef; vol: VolumeDef };
  flags?: {
    /** VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA (virsh --prealloc-metadata). */
    preallocMetadata?: boolean;
    /** Add -p to a convert (progress on stdout); libvirt's own command has none. */
    progress?: boolean;
  };
  /** The file holding the target volume's LUKS key (needed when it is encrypted). */
  secretFile?: string;
  /** The file holding the input volume's LUKS key (needed when it is encrypted). */
  inputSecretFile?: string;
}

function targetPath(pool: PoolDef, vol: VolumeDef, where: string): string {
  if (pool.type === 'rbd') {
    throw refuse('UNSUPPORTED_OPERATION', `${where}`, "volumes of an rbd pool are created with Ceph's tools, not qemu-img files");
  }
  const p = vol.target?.path;
  if (p === undefined) throw refuse('XML_MISSING', `${where}/target/path`, 'the volume has no path: prepare it with its pool first (prepareVolume)');
  if (!p.startsWith('/')) throw refuse('XML_INVALID_VALUE', `${where}/target/path`, `'${p}' is not an absolute path`);
  return p;
}

function needFile(file: string | undefined, what: string): string {
  if (file === undefined) throw refuse('INVALID_ARGUMENT', what, 'the volume is encrypted: the caller must pass the file holding its LUKS key');
  return file;
}

/** vol-create(-as) and vol-create-from / full clone, as libvirt builds them. */
export function planVolumeCreate(req: VolumeCreateRequest): QemuImgPlan {
  const { vol, input } = req;
  const prealloc = req.flags?.preallocMetadata === true;
  const path = targetPath(req.pool, vol, '/volume');
  const info = imgInfo(vol, '/volume', true);
  const inPath = input ? targetPath(input.pool, input.vol, 'input:/volume') : undefined;
  const inInfo = input ? imgInfo(input.vol, 'input:/volume', false) : undefined;
  if (prealloc && info.format !== 'qcow2') throw refuse('INVALID_ARGUMENT', 'flags.preallocMetadata', `metadata preallocation is for qcow2 volumes, not '${info.format}'`);

  const backing = vol.backingStore;
  if (backing) {
    if (info.driver === 'raw' || info.driver === 'luks') throw refuse('XML_CONFLICT', '/volume/backingStore', `a ${info.format} volume cannot have a backing store (use qcow2)`);
    if (backing.format === undefined) {
      throw refuse('XML_MISSING', '/volume/backingStore/format', "a backing store needs <format type='...'/>: virtkit never guesses an image's format from its content");
    }
    if (hasProtocolPrefix(backing.path)) throw refuse('XML_INVALID_VALUE', '/volume/backingStore/path', `'${backing.path}' would be read by qemu-img as a protocol`);
    if (prealloc) throw refuse('INVALID_ARGUMENT', 'flags.preallocMetadata', 'metadata preallocation conflicts with a backing store');
    const inBacking = input?.vol.backingStore?.path;
    if (inBacking !== undefined && inBacking !== backing.path) {
      throw refuse('XML_CONFLICT', '/volume/backingStore/path', `the input volume is backed by '${inBacking}'; a different backing store cannot be given`);
    }
  }
  if (!input && !backing && vol.capacity === undefined) throw refuse('XML_MISSING', '/volume/capacity', 'a new volume needs a <capacity> (or a backing store to take it from)');

  const alias = info.encrypted ? secretAlias(vol.name, 'volume_encrypt0') : undefined;
  const secret = alias === undefined ? [] : secretObject(alias, needFile(req.secretFile, 'secretFile'));
  const opts = (backingFormat?: string): string[] => {
    const o = createOptions({ vol, info, backingFormat, preallocMetadata: prealloc, secretAlias: alias });
    return o === undefined ? [] : ['-o', o];
  };
  const size = vol.capacity?.value ?? 0;

  if (!input || !inPath || !inInfo) {
    const b = backing ? ['-b', backing.path] : [];
    const sz = size > 0 || !backing ? [sizeArg(size)] : [];
    return { target: path, steps: [{ kind: 'create', argv: [QEMU_IMG, 'create', '-f', info.driver, ...b, ...secret, ...opts(backing?.format?.type), path, ...sz] }] };
  }

  if (!info.encrypted && !inInfo.encrypted) {
    const p = req.flags?.progress === true ? ['-p'] : [];
    // libvirt ignores the backing store when it converts: the copy is standalone.
    return { target: path, steps: [{ kind: 'convert', argv: [QEMU_IMG, 'convert', ...p, '-f', inInfo.driver, '-O', info.driver, ...opts(), inPath, path] }] };
  }

  // Encryption on either side: create the target at its size, then convert into it
  // with --image-opts, each side naming its key (libvirt's two steps).
  const create: QemuImgStep = { kind: 'create', argv: [QEMU_IMG, 'create', '-f', info.driver, ...secret, ...opts(), path, sizeArg(size)] };
  let inAlias = inInfo.encrypted ? secretAlias(input.vol.name, 'input_encrypt0') : undefined;
  if (inAlias !== undefined && inAlias === alias) inAlias = 'input_encrypt0';
  const inSecret = inAlias === undefined ? [] : secretObject(inAlias, needFile(req.inputSecretFile, 'inputSecretFile'));
  const side = (driver: string, file: string, qcow2: boolean, a: string | undefined): string =>
    `driver=${driver},file.filename=${escapeOptValue(file, 'path')}${a === undefined ? '' : `,${qcow2 ? 'encrypt.' : ''}key-secret=${a}`}`;
  const p = req.flags?.progress === true ? ['-p'] : [];
  const convert: QemuImgStep = {
    kind: 'convert',
    argv: [
      QEMU_IMG, 'convert', ...p, '--image-opts', '-n', '--target-image-opts', ...secret, ...inSecret,
      side(inInfo.driver, inPath, inInfo.format === 'qcow2', inAlias),
      side(info.driver, path, info.format === 'qcow2', alias),
    ],
  };
  return { target: path, steps: [create, convert] };
}

/** An image file outside virtkit's volumes: its path and its format, as the user states it. */
export interface SourceImage {
  path: string;
  format: string;
}

function checkSource(src: SourceImage, what: string): void {
  if (!src.path.startsWith('/')) throw refuse('INVALID_ARGUMENT', `${what}.path`, `'${src.path}' is not an absolute path`);
  if (src.format.trim() === '') throw refuse('INVALID_ARGUMENT', `${what}.format`, "the source image's format must be given: virtkit never guesses it from the content");
}

const LINKABLE = new Set(['raw', 'qcow2', 'qed', 'vmdk', 'vdi', 'vpc', 'luks']);

/** A linked clone: a qcow2 overlay whose backing file is the source (recorded with its format). */
export function planLinkedClone(req: { pool: PoolDef; vol: VolumeDef; source: SourceImage }): QemuImgPlan {
  const { vol, source } = req;
  const path = targetPath(req.pool, vol, '/volume');
  const info = imgInfo(vol, '/volume', true);
  if (info.format !== 'qcow2') throw refuse('XML_CONFLICT', '/volume/target/format/@type', `a linked clone is a qcow2 overlay, not '${info.format}'`);
  if (info.encrypted) throw refuse('XML_UNSUPPORTED', '/volume/target/encryption', 'an encrypted linked clone is not supported');
  if (vol.backingStore) throw refuse('XML_CONFLICT', '/volume/backingStore', 'a linked clone takes its backing store from the source volume');
  checkSource(source, 'source');
  if (!LINKABLE.has(source.format)) throw refuse('INVALID_ARGUMENT', 'source.format', `a '${source.format}' image cannot back a qcow2 overlay`);
  const t = vol.target ?? {};
  const explicit = t.compat !== undefined || t.features !== undefined || t.clusterSize !== undefined || t.nocow !== undefined;
  const o = explicit ? createOptions({ vol, info, preallocMetadata: false }) : undefined;
  const size = vol.capacity?.value;
  const argv = [QEMU_IMG, 'create', '-f', 'qcow2', '-b', source.path, '-F', source.format, ...(o === undefined ? [] : ['-o', o]), path];
  if (size !== undefined && size > 0) argv.push(sizeArg(size));
  return { target: path, steps: [{ kind: 'create', argv }] };
}

const IMPORTABLE = new Set(['raw', 'qcow2', 'vmdk', 'vdi', 'vpc', 'vhdx', 'qed']);

/** Importing an image file (vmdk, vdi, raw, qcow2...) into a pool as a qcow2 (or raw) volume, with progress. */
export function planImport(req: { pool: PoolDef; vol: VolumeDef; source: SourceImage }): QemuImgPlan {
  const { vol, source } = req;
  const path = targetPath(req.pool, vol, '/volume');
  const info = imgInfo(vol, '/volume', true);
  if (info.format !== 'qcow2' && info.format !== 'raw') throw refuse('XML_UNSUPPORTED', '/volume/target/format/@type', `an import writes qcow2 or raw, not '${info.format}'`);
  if (info.encrypted) throw refuse('XML_UNSUPPORTED', '/volume/target/encryption', 'an encrypted import is not supported');
  checkSource(source, 'source');
  if (!IMPORTABLE.has(source.format)) throw refuse('INVALID_ARGUMENT', 'source.format', `cannot import a '${source.format}' image (${[...IMPORTABLE].join(', ')})`);
  return { target: path, steps: [{ kind: 'convert', argv: [QEMU_IMG, 'convert', '-p', '-O', info.format, '-f', source.format, source.path, path] }] };
}
