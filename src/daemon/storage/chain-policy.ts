/**
 * The backing-chain rule for storage actions that make qemu-img follow
 * backing files (a copy, a linked clone, an import): before qemu-img runs,
 * virtkit's own walker (core/storage/backing-chain.ts) reads the chain header
 * by header with explicit formats, and every backing or external data file
 * must lie inside the target directory of a defined pool. A file outside
 * every pool is refused (BACKING_NOT_ALLOWED): a volume XML or a crafted
 * image must not make the daemon read /etc/shadow into a volume.
 */
import { posix } from 'node:path';
import { VirtkitError } from '../../core/errors.js';
import { walkBackingChain, type ChainLink } from '../../core/storage/backing-chain.js';
import { fileChainReader } from '../../host/storage/image-files.js';
import type { StorageContext } from './context.js';

/** The target directories of every defined pool (active or not). */
export function poolDirs(ctx: StorageContext): string[] {
  return ctx.pools.all().map((p) => p.def.target?.path).filter((d): d is string => d !== undefined).map((d) => posix.normalize(d));
}

export function insideAny(dirs: readonly string[], path: string): boolean {
  const p = posix.normalize(path);
  return dirs.some((d) => p.startsWith(d.endsWith('/') ? d : `${d}/`));
}

/** Walks the chain of `top` (its format explicit); refuses backing or data files outside every pool. */
export function checkChain(ctx: StorageContext, top: { path: string; format: string }, backingFormats?: readonly (string | undefined)[]): Promise<ChainLink[]> {
  const dirs = poolDirs(ctx);
  return walkBackingChain(top, fileChainReader, {
    ...(backingFormats === undefined ? {} : { backingFormats }),
    allow: (path) => (insideAny(dirs, path) ? true : `it is outside every storage pool (${dirs.join(', ') || 'none defined'}); move it into a pool's directory`),
  });
}

/** A new volume's <backingStore>: it must itself be in a pool, and so must everything below it. */
export async function checkBackingStore(ctx: StorageContext, path: string, format: string | undefined): Promise<void> {
  const dirs = poolDirs(ctx);
  if (!insideAny(dirs, path)) {
    throw new VirtkitError('BACKING_NOT_ALLOWED', `the backing store ${path} is outside every storage pool (${dirs.join(', ') || 'none defined'}); use a volume of a pool`, {
      details: { backingFile: path },
    });
  }
  // No format: planVolumeCreate refuses it with its own message (XML_MISSING); nothing to walk here.
  if (format !== undefined) await checkChain(ctx, { path, format });
}
