/**
 * The argv of each qemu-img operation virtkit runs (the plan; host/storage/qemu-img.ts carries it
 * out with execFile, never a shell). Every image's format is explicit (`-f`, never probed); paths
 * come after `--`, so a name starting with '-' is not an option; option values escape commas
 * (`,` -> `,,`) so a path with a comma cannot add options; a key is given as a secret object read
 * from a file, never on the command line.
 */
import { VirtkitError } from '../errors.js';

export interface SecretFile {
  /** The object id, e.g. "sec0". */
  readonly id: string;
  /** A file holding the passphrase (the daemon writes it 0600 and removes it after). */
  readonly file: string;
}

export interface ImageRef {
  readonly path: string;
  readonly format: string;
  /** The key of an encrypted image (qcow2 with LUKS, or luks), for operations that read its data. */
  readonly secret?: SecretFile;
}

export type ImgOptions = Readonly<Record<string, string | number | boolean>>;

/** QEMU's option-string escape: a comma inside a value is doubled. */
export function escapeOptionValue(v: string): string {
  return v.replace(/,/g, ',,');
}

export function optionString(o: ImgOptions): string {
  return Object.entries(o).map(([k, v]) => {
    if (!/^[a-z][a-z0-9._-]*$/.test(k)) throw new VirtkitError('INVALID_ARGUMENT', `'${k}' is not a qemu-img option name`, { details: { option: k } });
    return `${k}=${escapeOptionValue(typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v))}`;
  }).join(',');
}

function checkFormat(format: string): string {
  if (!/^[a-z0-9][a-z0-9_-]{0,31}$/.test(format)) throw new VirtkitError('INVALID_ARGUMENT', `'${format}' is not an image format name`, { details: { format } });
  return format;
}

function checkSize(size: number): string {
  if (!Number.isSafeInteger(size) || size < 0) throw new VirtkitError('INVALID_ARGUMENT', `size ${size} is not a whole number of bytes`, { details: { size } });
  return String(size);
}

function secretArgs(s: SecretFile | undefined): string[] {
  if (s === undefined) return [];
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(s.id)) throw new VirtkitError('INVALID_ARGUMENT', `'${s.id}' is not a QEMU object id`, { details: { id: s.id } });
  return ['--object', `secret,id=${s.id},file=${escapeOptionValue(s.file)}`];
}

/** How one image is named: `-f FMT` + its path, or (with a key) an --image-opts string that carries it. */
function imageSpec(img: ImageRef, alwaysImageOpts = false): { opts: string[]; name: string } {
  checkFormat(img.format);
  if (img.secret === undefined && !alwaysImageOpts) return { opts: ['-f', img.format], name: img.path };
  const key = img.secret === undefined ? '' : `,${img.format === 'luks' ? 'key-secret' : 'encrypt.key-secret'}=${img.secret.id}`;
  return {
    opts: [...secretArgs(img.secret), '--image-opts'],
    name: `driver=${img.format},file.filename=${escapeOptionValue(img.path)}${key}`,
  };
}

export function infoArgs(img: ImageRef, o: { forceShare?: boolean; backingChain?: boolean } = {}): string[] {
  // The header is enough for info: no key needed, even for an encrypted image.
  return ['info', '--output=json', '-f', checkFormat(img.format), ...(o.forceShare === true ? ['-U'] : []), ...(o.backingChain === true ? ['--backing-chain'] : []), '--', img.path];
}

export function checkArgs(img: ImageRef, o: { repair?: 'leaks' | 'all'; forceShare?: boolean } = {}): string[] {
  const s = imageSpec(img);
  return ['check', '--output=json', ...s.opts, ...(o.repair === undefined ? [] : ['-r', o.repair]), ...(o.forceShare === true ? ['-U'] : []), '--', s.name];
}

export function mapArgs(img: ImageRef, o: { forceShare?: boolean } = {}): string[] {
  const s = imageSpec(img);
  return ['map', '--output=json', ...s.opts, ...(o.forceShare === true ? ['-U'] : []), '--', s.name];
}

export interface CreateSpec {
  readonly path: string;
  readonly format: string;
  readonly size: number;
  readonly backing?: { readonly path: string; readonly format: string };
  readonly options?: ImgOptions;
  /** Encrypts the new image with this key (`encrypt.format=luks` for qcow2). */
  readonly secret?: SecretFile;
}

export function createArgs(c: CreateSpec): string[] {
  const opts: Record<string, string | number | boolean> = { ...c.options };
  if (c.secret !== undefined) {
    if (c.format === 'qcow2') Object.assign(opts, { 'encrypt.format': 'luks', 'encrypt.key-secret': c.secret.id });
    else opts['key-secret'] = c.secret.id;
  }
  const o = optionString(opts);
  return [
    'create', '-q', '-f', checkFormat(c.format), ...secretArgs(c.secret),
    ...(c.backing === undefined ? [] : ['-b', c.backing.path, '-F', checkFormat(c.backing.format)]),
    ...(o === '' ? [] : ['-o', o]),
    '--', c.path, checkSize(c.size),
  ];
}

export interface ConvertSpec {
  readonly source: ImageRef;
  readonly target: { readonly path: string; readonly format: string; readonly options?: ImgOptions };
  /** Compressed clusters in the target (qcow2). */
  readonly compress?: boolean;
}

export function convertArgs(c: ConvertSpec): string[] {
  const s = imageSpec(c.source);
  const o = optionString(c.target.options ?? {});
  return ['convert', '-p', ...s.opts, '-O', checkFormat(c.target.format), ...(c.compress === true ? ['-c'] : []), ...(o === '' ? [] : ['-o', o]), '--', s.name, c.target.path];
}

/** `preallocation` allocates the added space (virsh vol-resize --allocate: falloc). */
export function resizeArgs(img: ImageRef, size: number, o: { shrink?: boolean; preallocation?: 'falloc' | 'full' } = {}): string[] {
  const s = imageSpec(img);
  const pre = o.preallocation === undefined ? [] : [`--preallocation=${o.preallocation}`];
  return ['resize', ...s.opts, ...pre, ...(o.shrink === true ? ['--shrink'] : []), '--', s.name, checkSize(size)];
}

/** A new backing file (null: none). Unsafe (`-u`) only rewrites the header; safe copies what differs. */
export function rebaseArgs(img: ImageRef, backing: { readonly path: string; readonly format: string } | null, o: { unsafe?: boolean } = {}): string[] {
  const s = imageSpec(img);
  const b = backing === null ? ['-b', ''] : ['-b', backing.path, '-F', checkFormat(backing.format)];
  return ['rebase', '-p', ...s.opts, ...(o.unsafe === true ? ['-u'] : []), ...b, '--', s.name];
}

/** Writes the image's data into its backing file (or `base`, further down the chain). */
export function commitArgs(img: ImageRef, o: { base?: string } = {}): string[] {
  const s = imageSpec(img);
  return ['commit', '-p', ...s.opts, ...(o.base === undefined ? [] : ['-b', o.base]), '--', s.name];
}

/** Internal snapshots. `qemu-img snapshot` has no -f: the format goes in an --image-opts string. */
export function snapshotArgs(img: ImageRef, op: 'create' | 'delete' | 'apply', name: string): string[] {
  const flag = { create: '-c', delete: '-d', apply: '-a' }[op];
  const s = imageSpec(img, true);
  return ['snapshot', ...s.opts, flag, name, '--', s.name];
}
