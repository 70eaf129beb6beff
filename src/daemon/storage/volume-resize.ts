/**
 * vol-resize's steps, made so that a kill -9 (of the daemon, or of it and its qemu-img) at any point
 * leaves a valid volume of the old or the new size (docs/storage.md, "vol-resize and crashes"):
 *
 * - raw: the size changes in one ftruncate (qemu-img resize, which first takes the image's write
 *   lock); with --allocate, the added range is then allocated with
 *   `fallocate --keep-size`, which never changes the size. (`fallocate` extending a file, as
 *   `qemu-img resize --preallocation=falloc` does, raises the size chunk by chunk on ext4: a kill
 *   midway would leave a size that is neither.)
 * - qcow2, a plain grow: `qemu-img resize`; QEMU writes a larger L1 table to new clusters, points the
 *   header at it in one write, then writes the new size in one write: each state between is a valid
 *   image of the old size (at worst with leaked clusters, which `qemu-img check` reports and repairs).
 * - qcow2, a shrink or a preallocated grow: many writes (clusters past the end discarded, or clusters
 *   allocated) before the size is written. An intent marker (`.NAME.vk-resize`, JSON, written
 *   atomically and durably) is recorded first and removed after; at the next pool start or refresh a
 *   marker left behind is rolled forward (the same resize again: qemu-img resize to a size the image
 *   already has is a no-op, so repeating is safe), because a shrink cannot be rolled back once
 *   clusters are gone. The raw --allocate case records one too, to finish the allocation.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VirtkitError } from '../../core/errors.js';
import { QemuImg } from '../../host/storage/qemu-img.js';
import { removeFileDurable, writeFileAtomic } from '../store/atomic.js';
import type { StorageContext } from './context.js';

export interface ResizeIntent {
  readonly volume: string;
  readonly format: 'raw' | 'qcow2';
  /** Bytes before and after. */
  readonly from: number;
  readonly to: number;
  readonly allocate: boolean;
}

const MARK = '.vk-resize';

export function resizeMarkerName(volume: string): string {
  return `.${volume}${MARK}`;
}

export function isResizeMarker(file: string): boolean {
  return file.startsWith('.') && file.endsWith(MARK);
}

/** Whether the resize is more than one metadata change, and so needs a marker to be finished after a crash. */
export function needsMarker(i: ResizeIntent): boolean {
  return i.allocate && i.to > i.from ? true : i.format === 'qcow2' && i.to < i.from;
}

/** The resize itself; safe to repeat (each step is idempotent). */
async function apply(ctx: StorageContext, path: string, i: ResizeIntent): Promise<void> {
  const grow = i.to > i.from;
  if (i.format === 'raw') {
    // qemu-img resize of a raw file is one ftruncate, after it took the image's write lock (a guest using it refuses).
    await new QemuImg().resize({ path, format: 'raw' }, i.to, grow ? {} : { shrink: true });
    if (i.allocate && grow) await ctx.deps.run('fallocate', ['--keep-size', '-o', String(i.from), '-l', String(i.to - i.from), path]);
    return;
  }
  await new QemuImg().resize({ path, format: 'qcow2' }, i.to, {
    ...(grow ? {} : { shrink: true }), ...(i.allocate && grow ? { preallocation: 'falloc' as const } : {}),
  });
}

/** Resizes the volume at `dir`/`i.volume`, recording the intent first when the change is not atomic. */
export async function resizeFile(ctx: StorageContext, dir: string, i: ResizeIntent): Promise<void> {
  const marker = needsMarker(i);
  if (marker) await writeFileAtomic(dir, resizeMarkerName(i.volume), JSON.stringify(i));
  try {
    await apply(ctx, join(dir, i.volume), i);
  } finally {
    // Failed while the daemon lives (a guest holds the image, no space): reported to the caller, not
    // to be repeated behind its back at the next refresh.
    if (marker) await removeFileDurable(dir, resizeMarkerName(i.volume));
  }
}

function parseIntent(text: string): ResizeIntent | undefined {
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    const ok = typeof o['volume'] === 'string' && (o['format'] === 'raw' || o['format'] === 'qcow2') &&
      Number.isSafeInteger(o['from']) && Number.isSafeInteger(o['to']) && typeof o['allocate'] === 'boolean';
    return ok ? (o as unknown as ResizeIntent) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Rolls forward the resizes a crash interrupted in `dir` (the markers among `names`); a marker that
 * cannot be finished now (its qemu-img still runs and holds the image's lock) stays for the next
 * refresh. Returns the volumes finished.
 */
export async function finishResizes(ctx: StorageContext, dir: string, names: readonly string[]): Promise<string[]> {
  const done: string[] = [];
  for (const m of names.filter(isResizeMarker)) {
    const intent = parseIntent(await readFile(join(dir, m), 'utf8').catch(() => ''));
    if (intent === undefined || resizeMarkerName(intent.volume) !== m) {
      ctx.deps.log.warn(`pool ${dir}: removed unreadable resize marker ${m}`);
      await removeFileDurable(dir, m);
      continue;
    }
    try {
      await apply(ctx, join(dir, intent.volume), intent);
      await removeFileDurable(dir, m);
      done.push(intent.volume);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e instanceof VirtkitError && /No such file/.test(e.message))) {
        await removeFileDurable(dir, m); // the volume is gone: nothing to finish
        continue;
      }
      ctx.deps.log.warn(`volume ${join(dir, intent.volume)}: the interrupted resize to ${intent.to} bytes is not finished yet: ${(e as Error).message}`);
    }
  }
  return done;
}
