/**
 * snapshot-create: the definition is prepared in core (prepareSnapshotCreate), then carried
 * out. Internal: QMP's snapshot-save job on a running domain (memory into the first disk's
 * image), `qemu-img snapshot -c` on each qcow2 image of a stopped one. External (disk-only):
 * a new qcow2 overlay per disk (`qemu-img create -b IMAGE -F FORMAT`), switched in live with
 * blockdev-add + blockdev-snapshot, and the definitions' disks pointed at the overlays. An
 * overlay that was created but not switched in is removed again when a later step fails.
 */
import { access, rm } from 'node:fs/promises';
import { VirtkitError } from '../../core/errors.js';
import type { SnapshotDef } from '../../core/xml/snapshot/index.js';
import { parseSnapshotXml, prepareSnapshotCreate, snapshotDefaults, validateSnapshot } from '../../core/xml/snapshot/index.js';
import { QemuImg } from '../../host/storage/qemu-img.js';
import type { EngineContext } from '../engine/context.js';
import type { DomainRecord } from '../engine/registry.js';
import type { DomainAgent } from '../driver.js';
import { isActive } from '../state.js';
import { refreshLiveChain } from './chain.js';
import { snapDisks, switchImage } from './disks.js';
import { snapshotsOf } from './store.js';
import { quiesceAgent, whileFrozen } from './quiesce.js';

export interface CreateOptions {
  readonly xml?: string;
  readonly diskOnly?: boolean;
  readonly noMetadata?: boolean;
  readonly redefine?: boolean;
  /** With redefine: make it the current snapshot. */
  readonly current?: boolean;
  /** Freeze the guest's file systems through its agent while the disks are switched. */
  readonly quiesce?: boolean;
}

const img = new QemuImg();

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

function snapState(rec: DomainRecord): 'running' | 'paused' | 'shutoff' {
  if (!isActive(rec.state.state)) return 'shutoff';
  return rec.state.state === 'paused' ? 'paused' : 'running';
}

export async function createSnapshot(ctx: EngineContext, rec: DomainRecord, o: CreateOptions): Promise<SnapshotDef> {
  const set = await snapshotsOf(ctx, rec.name, rec.uuid);
  const input = parseSnapshotXml(o.xml ?? '<domainsnapshot/>');
  const now = Math.floor(ctx.now() / 1000);
  if (o.redefine === true) {
    if (o.noMetadata === true) throw new VirtkitError('INVALID_ARGUMENT', '--redefine and --no-metadata cannot go together: redefining a snapshot only writes its metadata');
    const def = snapshotDefaults(input, { mode: 'redefine', now });
    validateSnapshot(def, 'redefine');
    await set.save(def, o.current === true);
    return def;
  }
  const agent: DomainAgent | undefined = o.quiesce === true
    ? quiesceAgent(ctx, rec, o.diskOnly === true) : undefined;
  const state = snapState(rec);
  // A copy: the snapshot keeps the disks as they were, while switchImage changes the domain's.
  const domain = structuredClone(rec.runtime?.liveDef ?? (await ctx.defOf(rec)));
  const def = prepareSnapshotCreate(input, {
    domain, state, now, ...(set.current === undefined ? {} : { parent: set.current }),
    flags: { ...(o.diskOnly === true ? { diskOnly: true } : {}), ...(o.noMetadata === true ? { noMetadata: true } : {}) },
  });
  const name = def.name ?? '';
  if (set.has(name)) {
    throw new VirtkitError('SNAPSHOT_EXISTS', `domain '${rec.name}' has a snapshot '${name}' already; choose another name or delete it first`, { details: { domain: rec.name, snapshot: name } });
  }
  const disks = snapDisks(def, domain, rec.name);
  const handle = rec.runtime === undefined ? undefined : ctx.requireHandle(rec);
  const internal = disks.filter((d) => d.mode === 'internal');
  const external = disks.filter((d) => d.mode === 'external');
  if (handle !== undefined && handle.blockOps === undefined) {
    throw new VirtkitError('UNSUPPORTED_OPERATION', `the hypervisor driver cannot snapshot running domain '${rec.name}'`);
  }
  if (internal.length > 0) {
    if (handle?.blockOps !== undefined) {
      const aliases = internal.map((d) => d.alias ?? d.target);
      await handle.blockOps.internalSnapshot('save', name, aliases, aliases[0]);
    } else {
      for (const d of internal) await img.snapshot({ path: d.file, format: d.format }, 'create', name);
    }
  }
  const created: string[] = [];
  try {
    for (const d of external) {
      const overlay = d.overlay as string; // alignSnapshotDisks gives every external disk its overlay path
      if (await exists(overlay)) {
        throw new VirtkitError('OPERATION_INVALID', `the overlay '${overlay}' of disk '${d.target}' exists already; name another file in <disk><source file=...>`, { details: { disk: d.target, path: overlay } });
      }
      const size = (await img.info({ path: d.file, format: d.format }, { forceShare: true })).virtualSize;
      await img.create({ path: overlay, format: 'qcow2', size, backing: { path: d.file, format: d.format } });
      created.push(overlay);
    }
    const switchAll = async (): Promise<void> => {
      for (const d of external) {
        if (handle?.blockOps !== undefined) await handle.blockOps.externalSnapshot(d.alias ?? d.target, d.overlay as string);
        // Switched in: from here on the overlay holds the guest's writes and must stay.
        created.splice(created.indexOf(d.overlay as string), 1);
        await switchImage(ctx, rec, d.target, d.overlay as string, 'qcow2');
        if (handle !== undefined) await refreshLiveChain(ctx, rec, d.target);
      }
    };
    if (agent !== undefined) await whileFrozen(agent, rec.name, switchAll);
    else await switchAll();
  } catch (e) {
    for (const f of created) await rm(f, { force: true });
    throw e;
  }
  if (o.noMetadata !== true) await set.save(def, true);
  return def;
}
