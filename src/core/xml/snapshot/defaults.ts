/**
 * Step 2: the defaults libvirt's snapshot parser fills in without looking at the domain
 * (virDomainSnapshotDefParse and virDomainSnapshotDiskDefParseXML). The per-disk defaults
 * that need the domain are in align.ts.
 *
 * Three modes, as libvirt's parse flags:
 *   create    snapshot-create: what records a taken snapshot (state, parent, creationTime,
 *             domain, inactiveDomain, cookie, active) is not read from the input but set when
 *             the snapshot is taken, as libvirt does; so `snapshot-dumpxml` output can be fed
 *             back. creationTime is `now`, and the name defaults to it.
 *   redefine  snapshot-create --redefine: the input is a snapshot's record and is kept.
 *   metadata  virtkit's own metadata file: a record plus <active> (the current snapshot).
 */
import type { SnapshotDef, SnapshotDiskDef, SnapshotState } from './schema.js';

export type SnapshotMode = 'create' | 'redefine' | 'metadata';

export interface SnapshotDefaultsContext {
  mode: SnapshotMode;
  /** Creation time (seconds since the epoch) in create mode, from the injected clock. */
  now?: number;
}

/** States of a snapshot without the guest's memory: an offline or a disk-only one. */
export const offlineState = (s: SnapshotState | undefined): boolean => s === 'shutoff' || s === 'disk-snapshot';

export function diskSourcePath(d: SnapshotDiskDef): string | undefined {
  const s = d.source;
  return s?.file ?? s?.dev ?? s?.name;
}

export function snapshotDefaults(input: SnapshotDef, ctx: SnapshotDefaultsContext): SnapshotDef {
  const def = structuredClone(input);
  if (ctx.mode === 'create') {
    if (ctx.now === undefined) throw new Error('snapshotDefaults: create mode needs ctx.now');
    for (const k of ['state', 'parent', 'creationTime', 'domain', 'inactiveDomain', 'cookie', 'active'] as const) delete def[k];
    def.creationTime = ctx.now;
    def.name ??= String(ctx.now);
  } else if (ctx.mode === 'redefine') {
    delete def.active;
  }

  const mem = def.memory;
  if (mem && mem.snapshot === undefined && mem.file !== undefined) mem.snapshot = 'external';
  if (ctx.mode !== 'create' && mem?.snapshot === undefined) {
    def.memory = { ...mem, snapshot: offlineState(def.state) ? 'no' : 'internal' };
  }

  for (const d of def.disks?.disk ?? []) diskDefaults(d);
  return def;
}

function diskDefaults(d: SnapshotDiskDef): void {
  // An empty <source/> says nothing; libvirt writes none back.
  if (d.source && Object.keys(d.source).length === 0) delete d.source;
  const path = diskSourcePath(d);
  if (path !== undefined || d.driver?.type !== undefined) {
    d.snapshot ??= 'external';
    d.type ??= 'file';
  }
}
