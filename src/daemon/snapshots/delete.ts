/**
 * snapshot-delete. Internal: QMP snapshot-delete on a running domain, `qemu-img snapshot -d`
 * on a stopped one. External: the snapshot's overlay is merged back into the image under it
 * with block commit (a QMP block-commit job + job-complete when running, `qemu-img commit`
 * when stopped), the disk goes back to that image and only then is the overlay file removed:
 * no write the guest made is lost. This needs the overlay to be the disk's active image;
 * anything else is refused before anything is touched. The children of a deleted snapshot
 * get its parent as theirs (as libvirt); `metadataOnly` forgets the snapshot and touches no image.
 */
import { rm } from 'node:fs/promises';
import { VirtkitError } from '../../core/errors.js';
import type { SnapshotDef } from '../../core/xml/snapshot/index.js';
import { QemuImg } from '../../host/storage/qemu-img.js';
import type { EngineContext } from '../engine/context.js';
import type { DomainRecord } from '../engine/registry.js';
import { imageAtSnapshot, snapDisks, switchImage, type SnapDisk } from './disks.js';
import { snapshotsOf, type SnapshotSet } from './store.js';

export interface DeleteOptions {
  /** Forget the snapshot, leave every image as it is (virsh --metadata). */
  readonly metadataOnly?: boolean;
}

const img = new QemuImg();

async function mergeExternal(ctx: EngineContext, rec: DomainRecord, snap: SnapshotDef, set: SnapshotSet): Promise<void> {
  const domain = rec.runtime?.liveDef ?? (await ctx.defOf(rec));
  const disks = snapDisks(snap, domain, rec.name).filter((d) => d.mode === 'external');
  const plan: { d: SnapDisk; base: { file: string; format: string } }[] = [];
  for (const d of disks) {
    const base = imageAtSnapshot(snap, d.target);
    if (base === undefined || d.overlay !== d.file) {
      throw new VirtkitError('OPERATION_INVALID', `cannot merge external snapshot '${snap.name ?? ''}': disk '${d.target}' runs on '${d.file}', not on the snapshot's overlay '${d.overlay ?? '?'}' ` +
        '(after a revert, or a later snapshot); delete it with --metadata and remove its files yourself once you are sure they are not needed', { details: { disk: d.target } });
    }
    plan.push({ d, base });
  }
  if (set.children(snap.name ?? '').length > 0) {
    throw new VirtkitError('OPERATION_INVALID', `external snapshot '${snap.name ?? ''}' has children; delete them first (or use --metadata)`);
  }
  const h = rec.runtime === undefined ? undefined : ctx.requireHandle(rec);
  for (const { d, base } of plan) {
    if (h !== undefined) {
      if (h.blockOps === undefined) throw new VirtkitError('UNSUPPORTED_OPERATION', `the hypervisor driver cannot merge the disks of running domain '${rec.name}'`);
      await h.blockOps.commit(d.alias ?? d.target, { base: base.file });
      await h.blockOps.release(d.file);
    } else {
      await img.commit({ path: d.file, format: 'qcow2' });
    }
    await switchImage(ctx, rec, d.target, base.file, base.format);
    await rm(d.file, { force: true });
  }
}

export async function deleteSnapshot(ctx: EngineContext, rec: DomainRecord, name: string, o: DeleteOptions): Promise<SnapshotDef> {
  const set = await snapshotsOf(ctx, rec.name, rec.uuid);
  const snap = set.get(name, rec.name);
  if (o.metadataOnly !== true) {
    const external = (snap.disks?.disk ?? []).some((d) => d.snapshot === 'external');
    if (external) await mergeExternal(ctx, rec, snap, set);
    else {
      const h = rec.runtime === undefined ? undefined : ctx.requireHandle(rec);
      const domain = rec.runtime?.liveDef ?? (await ctx.defOf(rec));
      const disks = snapDisks(snap, domain, rec.name).filter((d) => d.mode === 'internal');
      if (h?.blockOps !== undefined) await h.blockOps.internalSnapshot('delete', name, disks.map((d) => d.alias ?? d.target), undefined);
      else for (const d of disks) await img.snapshot({ path: d.file, format: d.format }, 'delete', name);
    }
  }
  const parent = snap.parent?.name;
  for (const c of set.children(name)) {
    const { parent: _old, ...rest } = c;
    await set.save(parent === undefined ? rest : { ...rest, parent: { name: parent } }, false);
  }
  const wasCurrent = set.current === name;
  await set.remove(name);
  if (wasCurrent && parent !== undefined && set.has(parent)) await set.setCurrent(parent);
  return snap;
}
