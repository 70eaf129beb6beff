/**
 * Backing-chain rules (docs/storage.md, "qcow2 and backing chains"). Given the top image and its
 * explicit format, walk down the backing files through the caller's reader:
 * - a format is never guessed from content: each backing file's format is the one recorded in the
 *   image (backing format extension) or the one the caller gives (the XML's <backingStore><format>);
 *   neither -> BACKING_FORMAT_MISSING, both and different -> BACKING_FORMAT_MISMATCH;
 * - only qcow2 images are read; raw (and the other formats that have no backing file) end the
 *   chain unread, so a raw disk that starts with a qcow2 header naming /etc/shadow is a chain of one;
 * - relative names resolve against the directory of the image that names them; protocol names
 *   (`json:`, `nbd:`...) are refused;
 * - the policy may refuse a backing or external data file (e.g. outside every pool);
 * - at most `maxDepth` backing files, and no image twice (by the reader's file identity).
 */
import { posix } from 'node:path';
import { VirtkitError } from '../errors.js';
import type { Qcow2Info } from './qcow2-read.js';

export const DEFAULT_MAX_CHAIN_DEPTH = 64;
/** Formats QEMU gives no backing file: a chain ends at them without reading them. */
export const LEAF_FORMATS: readonly string[] = ['raw', 'luks', 'vdi', 'vpc', 'vhdx'];

export interface ChainLink {
  /** Absolute, normalized. */
  readonly path: string;
  readonly format: string;
  /** Where the format came from: the caller for the top, the image's record or the caller's declaration below. */
  readonly formatFrom: 'caller' | 'image' | 'declared';
  /** The header, for qcow2 links (other formats are not read). */
  readonly qcow2: Qcow2Info | undefined;
  /** The external data file of a qcow2 link, resolved (never opened here). */
  readonly dataFile: string | undefined;
}

export interface ChainReader {
  /** Reads the qcow2 image at `path`; `identity` names the file itself (device and inode) to catch loops through links. */
  readQcow2(path: string): Promise<{ readonly identity: string; readonly info: Qcow2Info }>;
}

export type ChainRole = 'backing' | 'data-file';

export interface ChainOptions {
  readonly maxDepth?: number;
  /** Formats the caller declares for the backing files, by depth (index 0: the top image's backing file). */
  readonly backingFormats?: readonly (string | undefined)[];
  /** Whether a backing or data file may be used; a string refuses with that reason. Default: all allowed. */
  readonly allow?: (path: string, role: ChainRole) => true | string;
}

export async function walkBackingChain(top: { readonly path: string; readonly format: string }, reader: ChainReader, opts: ChainOptions = {}): Promise<ChainLink[]> {
  if (!posix.isAbsolute(top.path)) throw new VirtkitError('INVALID_ARGUMENT', `image path '${top.path}' is not absolute`, { details: { path: top.path } });
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_CHAIN_DEPTH;
  const chain: ChainLink[] = [];
  const seen = new Map<string, string>();
  let cur = { path: posix.normalize(top.path), format: top.format, formatFrom: 'caller' as ChainLink['formatFrom'] };
  for (;;) {
    checkFormatWord(cur.format, cur.path);
    if (cur.format !== 'qcow2') {
      if (!LEAF_FORMATS.includes(cur.format)) {
        throw new VirtkitError('IMAGE_UNSUPPORTED', `${cur.path}: virtkit reads backing chains of qcow2 images only, and '${cur.format}' may have a backing file of its own; convert it to qcow2 (qemu-img convert -O qcow2)`, {
          details: { path: cur.path, format: cur.format },
        });
      }
      chain.push({ ...cur, qcow2: undefined, dataFile: undefined });
      return chain;
    }
    const { identity, info } = await reader.readQcow2(cur.path);
    const again = seen.get(identity);
    if (again !== undefined) throw loop(chain, cur.path, again);
    seen.set(identity, cur.path);
    const dir = posix.dirname(cur.path);
    let dataFile: string | undefined;
    if (info.dataFile !== undefined) {
      dataFile = resolveName(info.dataFile, dir, cur.path, 'data file');
      permit(opts, dataFile, 'data-file', cur.path);
    }
    chain.push({ ...cur, qcow2: info, dataFile });
    if (info.backingFile === undefined) return chain;

    const depth = chain.length; // backing files below the top so far, plus this one
    if (depth > maxDepth) {
      throw new VirtkitError('BACKING_CHAIN_TOO_DEEP', `${top.path}: the backing chain is deeper than ${maxDepth} images; flatten it (qemu-img convert or commit)`, {
        details: { path: top.path, maxDepth, chain: chain.map((l) => l.path) },
      });
    }
    const next = resolveName(info.backingFile, dir, cur.path, 'backing file');
    const declared = opts.backingFormats?.[depth - 1];
    const recorded = info.backingFormat;
    if (recorded === undefined && declared === undefined) {
      throw new VirtkitError('BACKING_FORMAT_MISSING', `${cur.path}: its backing file ${next} has no recorded format and none was given; virtkit never guesses a format from content. Record it (qemu-img rebase -u -b ${info.backingFile} -F FORMAT ${cur.path}) or give it in the XML (<backingStore><format type=.../>)`, {
        details: { path: cur.path, backingFile: next },
      });
    }
    if (recorded !== undefined && declared !== undefined && recorded !== declared) {
      throw new VirtkitError('BACKING_FORMAT_MISMATCH', `${cur.path}: its backing file ${next} is recorded as '${recorded}' but given as '${declared}'; correct the one that is wrong`, {
        details: { path: cur.path, backingFile: next, recorded, declared },
      });
    }
    if (chain.some((l) => l.path === next)) throw loop(chain, next, next);
    permit(opts, next, 'backing', cur.path);
    cur = { path: next, format: recorded ?? declared ?? '', formatFrom: recorded !== undefined ? 'image' : 'declared' };
  }
}

function resolveName(name: string, dir: string, image: string, what: string): string {
  const slash = name.indexOf('/');
  const colon = name.indexOf(':');
  if (colon >= 0 && (slash < 0 || colon < slash)) {
    throw new VirtkitError('IMAGE_UNSUPPORTED', `${image}: its ${what} '${name}' is a protocol name (QEMU would read it as ${name.slice(0, colon)}:), which virtkit does not follow; use a file path`, {
      details: { path: image, name },
    });
  }
  return posix.resolve(dir, name);
}

function permit(opts: ChainOptions, path: string, role: ChainRole, image: string): void {
  const ok = opts.allow?.(path, role) ?? true;
  if (ok !== true) {
    throw new VirtkitError('BACKING_NOT_ALLOWED', `${image}: its ${role === 'backing' ? 'backing file' : 'data file'} ${path} is not allowed: ${ok}`, {
      details: { path: image, [role === 'backing' ? 'backingFile' : 'dataFile']: path, reason: ok },
    });
  }
}

function checkFormatWord(format: string, path: string): void {
  if (!/^[a-z0-9][a-z0-9_-]{0,31}$/.test(format)) throw new VirtkitError('INVALID_ARGUMENT', `${path}: '${format}' is not an image format name`, { details: { path, format } });
}

function loop(chain: readonly ChainLink[], next: string, first: string): VirtkitError {
  const names = [...chain.map((l) => l.path), next];
  return new VirtkitError('BACKING_CHAIN_LOOP', `the backing chain loops: ${names.join(' -> ')} (${first} is already in the chain); rebase the image onto a file outside the loop`, {
    details: { chain: names },
  });
}
