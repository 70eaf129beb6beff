/**
 * The domain disks a snapshot works on: each snapshot disk (by target) with the domain
 * disk's image and alias, and the rewriting of a disk's image in the running and the
 * persistent definitions when an overlay goes on or comes off.
 */
import { VirtkitError } from '../../core/errors.js';
import type { SnapshotDef } from '../../core/xml/snapshot/index.js';
import type { EngineContext } from '../engine/context.js';
import type { DomainRecord } from '../engine/registry.js';
import type { DomainDef } from '../domain-xml.js';

export interface SnapDisk {
  /** The target, as the snapshot names it: vda. */
  readonly target: string;
  readonly mode: 'internal' | 'external';
  /** The device alias in the running domain (virtio-disk0), when it runs. */
  readonly alias: string | undefined;
  /** The domain disk's image now, and its format. */
  readonly file: string;
  readonly format: string;
  /** External: the snapshot's overlay file. */
  readonly overlay: string | undefined;
}

type Disk = NonNullable<NonNullable<DomainDef['devices']>['disk']>[number];

export function diskOf(def: DomainDef, target: string): Disk | undefined {
  return def.devices?.disk?.find((d) => d.target?.dev === target);
}

/** The snapshot's disks that are internal or external, matched with `domain`'s disks. */
export function snapDisks(snap: SnapshotDef, domain: DomainDef, domainName: string): SnapDisk[] {
  const out: SnapDisk[] = [];
  for (const d of snap.disks?.disk ?? []) {
    if (d.snapshot !== 'internal' && d.snapshot !== 'external') continue;
    const dd = diskOf(domain, d.name);
    const file = dd?.source?.file;
    if (dd === undefined || file === undefined) {
      throw new VirtkitError('OPERATION_INVALID', `snapshot '${snap.name ?? ''}' has disk '${d.name}', which domain '${domainName}' no longer has as a file disk`, {
        details: { domain: domainName, disk: d.name },
      });
    }
    out.push({ target: d.name, mode: d.snapshot, alias: dd.alias?.name, file, format: dd.driver?.type ?? 'raw', overlay: d.source?.file });
  }
  return out;
}

/** The image a disk had when the snapshot was taken (the base under an external overlay). */
export function imageAtSnapshot(snap: SnapshotDef, target: string): { file: string; format: string } | undefined {
  const def = snap.domain !== undefined && 'def' in snap.domain ? snap.domain.def : undefined;
  const d = def === undefined ? undefined : diskOf(def, target);
  const file = d?.source?.file;
  return file === undefined ? undefined : { file, format: d?.driver?.type ?? 'raw' };
}

function setImage(d: Disk, file: string, format: string): void {
  d.source = { ...(d.source ?? {}), file };
  d.driver = { ...(d.driver ?? {}), type: format as never };
  delete d.backingStore;
}

/** Points disk `target` at `file` in the persistent definition (saved) and in the running one. */
export async function switchImage(ctx: EngineContext, rec: DomainRecord, target: string, file: string, format: string): Promise<void> {
  const x = await ctx.xml();
  const def = x.parseDomain(rec.xml);
  const d = diskOf(def, target);
  if (d !== undefined) {
    setImage(d, file, format);
    const xml = x.formatDomain(def);
    if (rec.persistent) await ctx.deps.config.save(rec.name, xml);
    rec.xml = xml;
    rec.def = def;
    rec.summary = x.summarizeDomain(def);
    ctx.definitionsChanged();
  }
  const live = rec.runtime === undefined ? undefined : diskOf(rec.runtime.liveDef, target);
  if (live !== undefined) {
    setImage(live, file, format);
    await ctx.writeStatus(rec);
  }
}
