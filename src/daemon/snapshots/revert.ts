/**
 * snapshot-revert. Internal snapshot with memory: QMP snapshot-load on the running domain
 * (started paused first when it is shut off), then the snapshot's run state. Internal without
 * memory: the domain is stopped (as libvirt) and `qemu-img snapshot -a` applied to each image.
 * External (as libvirt 9.x): the domain is stopped, and each snapshotted disk gets a fresh
 * qcow2 overlay on the image it had when the snapshot was taken (that image is unchanged
 * since: the snapshot's overlay took every write); the images written after the snapshot are
 * left on disk, unused, and the snapshots that were taken on them keep them.
 */
import { access } from 'node:fs/promises';
import { VirtkitError } from '../../core/errors.js';
import type { SnapshotDef } from '../../core/xml/snapshot/index.js';
import { QemuImg } from '../../host/storage/qemu-img.js';
import type { EngineContext } from '../engine/context.js';
import { launch } from '../engine/lifecycle.js';
import type { DomainRecord } from '../engine/registry.js';
import { imageAtSnapshot, snapDisks, switchImage } from './disks.js';
import { snapshotsOf } from './store.js';

export interface RevertOptions {
  /** Run (or pause) the domain after the revert, whatever the snapshot's state. */
  readonly running?: boolean;
  readonly paused?: boolean;
}

const img = new QemuImg();

async function stop(ctx: EngineContext, rec: DomainRecord): Promise<void> {
  const rt = rec.runtime;
  if (rt === undefined) return;
  const h = ctx.requireHandle(rec);
  rt.expectedStop = 'from-snapshot';
  await h.destroy({ graceful: false });
  ctx.markStopped(rec, h, 'from-snapshot');
}

/** A file name next to `overlay` that does not exist yet: OVERLAY.rN. */
async function freshName(overlay: string): Promise<string> {
  for (let n = 1; ; n++) {
    const p = `${overlay}.r${n}`;
    if (!(await access(p).then(() => true, () => false))) return p;
  }
}

async function revertExternal(ctx: EngineContext, rec: DomainRecord, snap: SnapshotDef): Promise<void> {
  await stop(ctx, rec);
  const disks = snapDisks(snap, await ctx.defOf(rec), rec.name).filter((d) => d.mode === 'external');
  for (const d of disks) {
    const base = imageAtSnapshot(snap, d.target);
    if (base === undefined || d.overlay === undefined) {
      throw new VirtkitError('OPERATION_INVALID', `snapshot '${snap.name ?? ''}' does not record disk '${d.target}''s image; it cannot be reverted to`);
    }
    const fresh = await freshName(d.overlay);
    const size = (await img.info({ path: base.file, format: base.format })).virtualSize;
    await img.create({ path: fresh, format: 'qcow2', size, backing: { path: base.file, format: base.format } });
    await switchImage(ctx, rec, d.target, fresh, 'qcow2');
  }
}

async function startAs(ctx: EngineContext, rec: DomainRecord, state: string): Promise<void> {
  if (state !== 'running' && state !== 'paused') return;
  if (rec.runtime === undefined) await launch(ctx, rec, await ctx.defOf(rec), state === 'paused');
  const h = ctx.requireHandle(rec);
  if (state === 'paused' && rec.state.state !== 'paused') {
    await h.suspend();
    ctx.setState(rec, { state: 'paused', reason: 'from-snapshot' }, { event: 'suspended', detail: 'from-snapshot' });
  } else if (state === 'running' && rec.state.state === 'paused') {
    await h.resume();
    ctx.setState(rec, { state: 'running', reason: 'from-snapshot' }, { event: 'resumed', detail: 'unpaused' });
  }
}

export async function revertSnapshot(ctx: EngineContext, rec: DomainRecord, name: string, o: RevertOptions): Promise<SnapshotDef> {
  const set = await snapshotsOf(ctx, rec.name, rec.uuid);
  const snap = set.get(name, rec.name);
  const external = (snap.disks?.disk ?? []).some((d) => d.snapshot === 'external');
  const withMemory = snap.memory?.snapshot === 'internal';
  if (external) {
    await revertExternal(ctx, rec, snap);
  } else if (withMemory) {
    // The vCPUs must not run on disks that are about to change: start paused, load, then run.
    if (rec.runtime === undefined) await launch(ctx, rec, await ctx.defOf(rec), true);
    const h = ctx.requireHandle(rec);
    if (h.blockOps === undefined) throw new VirtkitError('UNSUPPORTED_OPERATION', `the hypervisor driver cannot revert running domain '${rec.name}'`);
    const disks = snapDisks(snap, h.liveDef, rec.name).filter((d) => d.mode === 'internal');
    const aliases = disks.map((d) => d.alias ?? d.target);
    await h.blockOps.internalSnapshot('load', name, aliases, aliases[0]);
  } else {
    await stop(ctx, rec);
    for (const d of snapDisks(snap, await ctx.defOf(rec), rec.name).filter((x) => x.mode === 'internal')) {
      await img.snapshot({ path: d.file, format: d.format }, 'apply', name);
    }
  }
  const target = o.paused === true ? 'paused' : o.running === true ? 'running' : withMemory ? (snap.state ?? 'shutoff') : 'shutoff';
  await startAs(ctx, rec, target);
  await set.setCurrent(name);
  return snap;
}
