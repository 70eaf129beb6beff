/** What snapshot-list, snapshot-info, snapshot-current and snapshot-parent show of a snapshot. */
import { formatSnapshotXml, type SnapshotDef } from '../../core/xml/snapshot/index.js';
import type { SnapshotSet } from './store.js';

export interface SnapshotInfo {
  readonly name: string;
  readonly domain: string;
  /** Seconds since the epoch. */
  readonly creationTime: number;
  readonly state: string;
  readonly parent: string | null;
  readonly current: boolean;
  readonly children: number;
  readonly descendants: number;
  /** 'internal', 'external' or 'none' (no disk), as virsh snapshot-list shows it. */
  readonly location: 'internal' | 'external' | 'none';
  readonly description: string | null;
}

export function locationOf(def: SnapshotDef): SnapshotInfo['location'] {
  const disks = def.disks?.disk ?? [];
  if (disks.some((d) => d.snapshot === 'external') || def.memory?.snapshot === 'external') return 'external';
  if (disks.some((d) => d.snapshot === 'internal') || def.memory?.snapshot === 'internal') return 'internal';
  return 'none';
}

function descendants(set: SnapshotSet, name: string): number {
  return set.children(name).reduce((n, c) => n + 1 + descendants(set, c.name ?? ''), 0);
}

export function snapshotInfo(set: SnapshotSet, domain: string, def: SnapshotDef): SnapshotInfo {
  const name = def.name ?? '';
  return {
    name, domain, creationTime: def.creationTime ?? 0, state: def.state ?? 'shutoff', parent: def.parent?.name ?? null,
    current: set.current === name, children: set.children(name).length, descendants: descendants(set, name),
    location: locationOf(def), description: def.description ?? null,
  };
}

/** libvirt's snapshot-dumpxml: the record, with <domain><uuid> when it carries no definition. */
export function snapshotXml(def: SnapshotDef, domainUuid: string): string {
  return formatSnapshotXml(def, { domainUuid });
}
