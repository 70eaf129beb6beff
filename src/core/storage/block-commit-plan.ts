/**
 * What a block commit does, decided before anything runs (virsh 9.0 blockcommit, libvirt's
 * qemuDomainBlockCommit rules): which image of a disk's backing chain is `top`, which `base`,
 * whether it is an active commit (top is the disk's active image) and how it ends, and which
 * files `--delete` removes afterwards.
 *
 * The chain is the disk's images, active first (index 0 = `vda[0]`, its backing file `vda[1]`...,
 * the depth numbering of libvirt's `<backingStore index=...>`). An image is named by its path or
 * by `TARGET[N]`. Without --base the base is the bottom of the chain (as libvirt); --shallow
 * makes it the image right under top.
 */
import { posix } from 'node:path';
import { VirtkitError } from '../errors.js';

export interface ChainImage {
  readonly file: string;
  readonly format: string;
}

export interface CommitRequest {
  readonly top?: string;
  readonly base?: string;
  readonly shallow?: boolean;
  readonly active?: boolean;
  readonly pivot?: boolean;
  readonly keepOverlay?: boolean;
  readonly delete?: boolean;
  readonly keepRelative?: boolean;
}

export interface CommitPlan {
  readonly top: number;
  readonly base: number;
  readonly active: boolean;
  /**
   * How an active commit ends: the disk switches to base, or stays on top (base holds the data too);
   * 'ready': the job is left in its synchronized phase for blockjob --pivot or --abort (virsh's plain --active).
   */
  readonly finish: 'pivot' | 'keep-overlay' | 'ready' | undefined;
  /** Files removed after success (--delete): top and the images between it and base. */
  readonly remove: readonly string[];
  /** --keep-relative on a non-active commit: the name written into the image above top, relative to it. */
  readonly backingName: string | undefined;
}

const notInChain = (message: string, details: Record<string, unknown>) => new VirtkitError('IMAGE_NOT_IN_CHAIN', message, { details });
const invalid = (message: string) => new VirtkitError('INVALID_ARGUMENT', message);

/** The index of `ref` (a path or TARGET[N]) in `chain`, searched from `from` down. */
export function chainIndex(chain: readonly ChainImage[], target: string, ref: string, from = 0): number | undefined {
  const m = /^([a-z0-9]+)\[(\d+)\]$/.exec(ref);
  if (m !== null) {
    if (m[1] !== target) return undefined;
    const n = Number(m[2]);
    return n >= from && n < chain.length ? n : undefined;
  }
  const want = posix.normalize(ref);
  const i = chain.findIndex((c, j) => j >= from && posix.normalize(c.file) === want);
  return i === -1 ? undefined : i;
}

export function planBlockCommit(chain: readonly ChainImage[], target: string, r: CommitRequest): CommitPlan {
  if (r.pivot === true && r.keepOverlay === true) throw invalid('--pivot and --keep-overlay are mutually exclusive: an active commit either switches to the base or keeps the overlay');
  const top = r.top === undefined ? 0 : chainIndex(chain, target, r.top);
  if (top === undefined) {
    throw notInChain(`could not find image '${r.top ?? ''}' in the backing chain of disk '${target}' (TARGET[N] or a path that virtkit domblklist / dumpxml shows)`, { disk: target, top: r.top });
  }
  const topFile = (chain[top] as ChainImage).file;
  if (top === chain.length - 1) throw new VirtkitError('OPERATION_INVALID', `image '${topFile}' of disk '${target}' has no backing image to commit into`, { details: { disk: target, top: topFile } });
  let base: number | undefined = chain.length - 1;
  if (r.base !== undefined) {
    base = chainIndex(chain, target, r.base, top + 1);
    if (base === undefined) {
      throw notInChain(`could not find image '${r.base}' beneath '${topFile}' in the backing chain of disk '${target}'`, { disk: target, top: topFile, base: r.base });
    }
  } else if (r.shallow === true) base = top + 1;
  if (r.shallow === true && base !== top + 1) throw invalid(`--shallow: base '${(chain[base] as ChainImage).file}' is not immediately below '${topFile}'`);
  const active = top === 0;
  const wantsActive = r.active === true || r.pivot === true || r.keepOverlay === true;
  if (active && !wantsActive) throw invalid(`committing the active image '${topFile}' of disk '${target}' requires --active`);
  if (!active && wantsActive) throw invalid(`active commit requested but '${topFile}' is not the active image of disk '${target}' (leave out --active, --pivot and --keep-overlay)`);
  if (r.delete === true && r.keepOverlay === true) throw invalid('--delete with --keep-overlay would remove images the disk still uses');
  const remove = r.delete === true ? chain.slice(top, base).map((c) => c.file) : [];
  const above = active ? undefined : (chain[top - 1] as ChainImage).file;
  const backingName = r.keepRelative === true && above !== undefined ? posix.relative(posix.dirname(above), (chain[base] as ChainImage).file) : undefined;
  return { top, base, active, finish: active ? (r.pivot === true ? 'pivot' : r.keepOverlay === true ? 'keep-overlay' : 'ready') : undefined, remove, backingName };
}
