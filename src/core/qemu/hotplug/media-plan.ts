/**
 * virsh change-media on a running CD-ROM or floppy drive, as libvirt's
 * qemuDomainChangeMediaBlockdev does it with -blockdev: open the tray, remove the medium and
 * delete its nodes; for a new medium, blockdev-add its nodes (the argv builder's, as for a
 * hotplug), insert it and close the tray. Pure: a list of QMP calls and the new live definition.
 */
import { VirtkitError } from '../../errors.js';
import type { DomainDef } from '../../xml/domain/index.js';
import type { DiskDef } from '../../xml/domain/schema/disk.js';
import type { ArgvCaps } from '../argv/index.js';
import { buildDiskParts } from '../argv/index.js';
import type { QemuCaps } from '../caps.js';
import type { QmpBlockInfo } from '../qmp/command-types.js';
import { diskNodes, findDisk, nodeIndex, noSuchDisk, type QmpCall } from './disk-plan.js';

/** The new medium: a file (or, with type 'block', a host device) and its format (default: the drive's, else raw). */
export interface Medium {
  readonly source: string;
  readonly type?: 'file' | 'block';
  readonly format?: NonNullable<NonNullable<DiskDef['driver']>['type']>;
}

export interface MediaPlan {
  readonly live: DomainDef;
  readonly calls: readonly QmpCall[];
}

/**
 * Ejects the medium of drive `ref` (target or source) and, with `medium`, inserts that one.
 * `force` opens a tray the guest has locked.
 */
export function planChangeMedia(
  live: DomainDef, ref: string, medium: Medium | undefined, opts: {
    readonly blocks: readonly QmpBlockInfo[]; readonly usedNodeNames: readonly string[]; readonly caps: QemuCaps | ArgvCaps; readonly force: boolean;
  },
): MediaPlan {
  const disk = findDisk(live, ref);
  if (disk === undefined) throw noSuchDisk(live.name, ref);
  const dev = disk.target?.dev ?? ref;
  if (disk.device !== 'cdrom' && disk.device !== 'floppy') {
    throw new VirtkitError('OPERATION_INVALID', `disk '${dev}' of domain '${live.name}' is not a CD-ROM or floppy drive; only removable media change`, { details: { target: dev } });
  }
  const id = disk.alias?.name ?? '';
  const old = diskNodes(id, opts.blocks);
  if (medium === undefined && old.length === 0) {
    throw new VirtkitError('OPERATION_INVALID', `drive '${dev}' of domain '${live.name}' has no medium to eject`, { details: { target: dev } });
  }
  const calls: QmpCall[] = [
    { command: 'blockdev-open-tray', args: { id, force: opts.force } },
    { command: 'blockdev-remove-medium', args: { id } },
    ...old.map((n) => ({ command: 'blockdev-del', args: { 'node-name': n } })),
  ];
  const next = structuredClone(live);
  const target = findDisk(next, dev) as DiskDef;
  if (medium === undefined) {
    delete target.source;
    return { live: next, calls };
  }
  target.type = medium.type ?? 'file';
  target.source = medium.type === 'block' ? { dev: medium.source } : { file: medium.source };
  target.driver = { ...target.driver, type: medium.format ?? target.driver?.type ?? 'raw' };
  const parts = buildDiskParts(next, opts.caps, dev, nodeIndex(live, opts.usedNodeNames));
  const top = parts.nodes.at(-1)?.['node-name'];
  calls.push(
    ...parts.nodes.map((n) => ({ command: 'blockdev-add', args: n })),
    { command: 'blockdev-insert-medium', args: { id, 'node-name': top } },
    { command: 'blockdev-close-tray', args: { id } },
  );
  return { live: next, calls };
}
