/**
 * Volumes made from other images, each as the target pool's one job and made
 * atomically (volume-make.ts): vol-create-from and a full vol-clone (qemu-img
 * convert of a pool volume, libvirt's command), a linked clone (a qcow2
 * overlay whose backing file is the source, with the source's format
 * recorded), and an import (qemu-img convert -p of an image file of an
 * explicit format into the pool, progress reported as it goes). Before
 * qemu-img follows any backing file, the chain is walked (chain-policy.ts).
 * In an rbd pool, clones and copies are the cluster's (rbd-copy.ts).
 */
import { basename, extname, isAbsolute } from 'node:path';
import { VirtkitError } from '../../core/errors.js';
import { planImport, planVolumeCreate, type QemuImgPlan } from '../../core/storage/qemu-img-plan.js';
import { QemuImg, runQemuImgRetrying } from '../../host/storage/qemu-img.js';
import { fileSizes } from '../../host/storage/space.js';
import { checkChain } from './chain-policy.js';
import { makeLinkedClone } from './linked-clone.js';
import type { StorageContext } from './context.js';
import { onPool, type JobOpts } from './pool-ops.js';
import type { VolumeDef } from './pool-xml.js';
import { lookupPool, requireRunning, volumeIn } from './queries.js';
import { cloneRbdVolume, copyRbdIntoFile, createRbdVolumeFrom } from './rbd-copy.js';
import { isRbdPool } from './rbd-volumes.js';
import type { VolumeInfo, VolumeRecord } from './records.js';
import { makeVolume, poolDir, requireFree, requireSpace } from './volume-make.js';

export interface CopyOpts extends JobOpts {
  readonly preallocMetadata?: boolean | undefined;
  /** Percentages of the qemu-img convert, as it reports them. */
  readonly onProgress?: ((percent: number) => void) | undefined;
}

const q = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;');

/** A new volume's XML: its name, capacity and format. */
function volumeXmlOf(name: string, capacity: number, format: string): string {
  return `<volume>\n  <name>${q(name)}</name>\n  <capacity>${capacity}</capacity>\n  <target>\n    <format type='${q(format)}'/>\n  </target>\n</volume>\n`;
}

/** What the planner needs to know of an existing pool volume. */
function recordDef(v: VolumeRecord): VolumeDef {
  return { name: v.name, type: v.type, capacity: { value: v.capacity }, target: { path: v.path, format: { type: v.format as never } } } as VolumeDef;
}

function fileVolume(v: VolumeRecord, what: string): VolumeRecord {
  if (v.type !== 'file') {
    throw new VirtkitError('UNSUPPORTED_OPERATION', `cannot ${what} volume '${v.name}': it is a ${v.type}, not an image file`, { details: { volume: v.name } });
  }
  return v;
}

async function runPlan(plan: QemuImgPlan, o: CopyOpts): Promise<void> {
  for (const step of plan.steps) await runQemuImgRetrying(step.argv.slice(1), o.onProgress ? { onProgress: o.onProgress } : {});
}

/** The volume's chain, walked and allowed before qemu-img reads it (a raw volume is a chain of one). */
async function checkVolumeChain(ctx: StorageContext, v: VolumeRecord): Promise<void> {
  await checkChain(ctx, { path: v.path, format: v.format }, v.backing ? [v.backing.format] : undefined);
}

/** vol-create-from: a new volume (from `xml`) holding a copy of `input` (qemu-img convert). */
export async function createVolumeFrom(ctx: StorageContext, poolRef: string, xml: string, input: { pool: string; volume: string }, o: CopyOpts): Promise<VolumeInfo> {
  const ip = await lookupPool(ctx, input.pool);
  return onPool(ctx, poolRef, 'create volume in', o, async (p) => {
    if (isRbdPool(p.def)) {
      requireRunning(p);
      const src = volumeIn(ip, input.volume);
      // A file's chain is walked before qemu-img follows it, as for a file pool.
      if (!isRbdPool(ip.def) && src.type === 'file') await checkVolumeChain(ctx, src);
      return createRbdVolumeFrom(ctx, p, (await ctx.xml()).prepareVolumeXml(xml, p.def), ip, src, o);
    }
    const dir = poolDir(p, 'create a volume');
    if (isRbdPool(ip.def)) {
      const rsrc = volumeIn(ip, input.volume);
      const rvol = (await ctx.xml()).prepareVolumeXml(xml, p.def);
      await requireFree(ctx, p, dir, rvol.name);
      await requireSpace(p, dir, rvol.name, rsrc.allocation);
      return makeVolume(ctx, p, dir, rvol.name, 'create volume', (temp) => copyRbdIntoFile(ctx, ip, rsrc, p.def, rvol, temp, o));
    }
    const src = fileVolume(volumeIn(ip, input.volume), 'copy');
    const vol = (await ctx.xml()).prepareVolumeXml(xml, p.def);
    await requireFree(ctx, p, dir, vol.name);
    await checkVolumeChain(ctx, src);
    await requireSpace(p, dir, vol.name, src.allocation);
    const capacity = vol.capacity?.value ?? 0;
    const format = vol.target?.format?.type ?? 'raw';
    return makeVolume(ctx, p, dir, vol.name, 'create volume', async (temp) => {
      await runPlan(planVolumeCreate({
        pool: p.def, vol: { ...vol, target: { ...vol.target, path: temp } },
        input: { pool: ip.def, vol: recordDef(src) },
        flags: { preallocMetadata: o.preallocMetadata === true, progress: o.onProgress !== undefined },
      }), o);
      // The copy has the input's size; a larger <capacity> grows it, as libvirt does.
      if (capacity > src.capacity && (format === 'raw' || format === 'qcow2')) await new QemuImg().resize({ path: temp, format }, capacity);
    });
  });
}

/** vol-clone: a full copy in the source's format, or (linked) a qcow2 overlay on the source. */
export async function cloneVolume(ctx: StorageContext, poolRef: string, volume: string, newName: string, o: CopyOpts & { linked?: boolean | undefined }): Promise<VolumeInfo> {
  return onPool(ctx, poolRef, 'clone volume in', o, async (p) => {
    if (isRbdPool(p.def)) {
      requireRunning(p);
      return cloneRbdVolume(ctx, p, volumeIn(p, volume), newName, o);
    }
    const dir = poolDir(p, 'clone a volume');
    const src = fileVolume(volumeIn(p, volume), 'clone');
    // A linked clone starts qemu-img before the chain walk ends (linked-clone.ts).
    if (o.linked === true) return makeLinkedClone(ctx, p, dir, src, newName);
    const x = await ctx.xml();
    await requireFree(ctx, p, dir, newName);
    await checkVolumeChain(ctx, src);
    const vol = x.prepareVolumeXml(volumeXmlOf(newName, src.capacity, src.format), p.def);
    await requireSpace(p, dir, newName, src.allocation);
    return makeVolume(ctx, p, dir, newName, 'clone volume', (temp) => runPlan(planVolumeCreate({
      pool: p.def, vol: { ...vol, target: { ...vol.target, path: temp } }, input: { pool: p.def, vol: recordDef(src) },
      flags: { preallocMetadata: o.preallocMetadata === true, progress: o.onProgress !== undefined },
    }), o));
  });
}

export interface ImportRequest {
  /** An image file on the daemon's host. */
  readonly file: string;
  /** Its format, as the caller states it (never probed). */
  readonly format: string;
  /** The new volume's name (default: the file's name with a .qcow2 extension). */
  readonly name?: string | undefined;
  /** The new volume's format: qcow2 (default) or raw. */
  readonly targetFormat?: 'qcow2' | 'raw' | undefined;
}

export function importName(file: string, targetFormat: string): string {
  const base = basename(file);
  return `${base.slice(0, base.length - extname(base).length) || base}.${targetFormat}`;
}

/** Refuses a source qemu-img would make read other files: a backing chain outside the pools, a vmdk with extents or a parent elsewhere. */
async function checkSource(ctx: StorageContext, file: string, format: string): Promise<void> {
  if (format === 'qcow2') {
    await checkChain(ctx, { path: file, format });
    return;
  }
  if (format !== 'vmdk') {
    if (format === 'qed') {
      throw new VirtkitError('IMAGE_UNSUPPORTED', `${file}: virtkit does not import qed images (they may name a backing file it cannot check); convert it to qcow2 first`, { details: { path: file } });
    }
    return;
  }
  // A vmdk descriptor may name extents and a parent anywhere: qemu-img's own view (it opens, not follows, them).
  const info = await new QemuImg().info({ path: file, format: 'vmdk' });
  const extents = (info.formatSpecific?.data['extents'] ?? []) as readonly { filename?: unknown }[];
  const others = extents.map((e) => String(e.filename ?? '')).filter((f) => f !== file);
  if (info.backingFilename !== undefined || others.length > 0) {
    throw new VirtkitError('BACKING_NOT_ALLOWED',
      `${file}: this vmdk reads other files (${[info.backingFilename, ...others].filter((f) => f !== undefined).join(', ')}); virtkit imports single-file vmdk images only`,
      { details: { path: file } });
  }
}

/** vol-import: converts an image file into the pool (qemu-img convert -p), reporting progress. */
export async function importVolume(ctx: StorageContext, poolRef: string, req: ImportRequest, o: CopyOpts): Promise<VolumeInfo> {
  if (!isAbsolute(req.file)) throw new VirtkitError('INVALID_ARGUMENT', `'${req.file}' is not an absolute path`, { details: { file: req.file } });
  const fmt = req.targetFormat ?? 'qcow2';
  const name = req.name ?? importName(req.file, fmt);
  return onPool(ctx, poolRef, 'import volume into', o, async (p) => {
    const dir = poolDir(p, 'import a volume');
    await requireFree(ctx, p, dir, name);
    const s = await fileSizes(req.file).catch((e: unknown) => {
      throw new VirtkitError('IO_ERROR', `cannot import ${req.file}: ${(e as Error).message}`, { details: { file: req.file }, cause: e });
    });
    if (!s.isFile) throw new VirtkitError('INVALID_ARGUMENT', `cannot import ${req.file}: it is not a regular file`, { details: { file: req.file } });
    await checkSource(ctx, req.file, req.format);
    await requireSpace(p, dir, name, s.allocation);
    const vol = (await ctx.xml()).prepareVolumeXml(volumeXmlOf(name, 0, fmt), p.def);
    return makeVolume(ctx, p, dir, name, 'import volume', (temp) => runPlan(planImport({
      pool: p.def, vol: { ...vol, target: { ...vol.target, path: temp } }, source: { path: req.file, format: req.format },
    }), o));
  });
}
