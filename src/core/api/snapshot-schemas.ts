/**
 * The snapshot and block-job API's bodies and answers, as strict valibot schemas;
 * schemas.ts re-exports them and adds them to its named components.
 */
import * as v from 'valibot';

/** Named schemas of this module; schemas.ts adds them to `apiSchemas`. */
export const snapshotSchemas = new Map<v.GenericSchema, { readonly id: string; readonly description: string }>();

const named = <T extends v.GenericSchema>(id: string, description: string, schema: T): T => {
  snapshotSchemas.set(schema, { id, description });
  return schema;
};
const described = <T extends v.GenericSchema>(schema: T, text: string) => v.pipe(schema, v.description(text));
const str = v.string();
const bool = v.boolean();
const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const flag = (text: string) => v.optional(described(bool, text));

export const SnapshotInfo = named('SnapshotInfo', 'A domain snapshot as snapshot-list and snapshot-info show it', v.strictObject({
  name: str,
  domain: str,
  creationTime: described(count, 'Seconds since the epoch'),
  state: described(str, "The domain's state when it was taken: running, paused, shutoff, or disk-snapshot"),
  parent: v.nullable(str),
  current: described(bool, "Whether it is the domain's current snapshot"),
  children: count,
  descendants: count,
  location: v.picklist(['internal', 'external', 'none']),
  description: v.nullable(str),
}));

export const SnapshotList = named('SnapshotList', 'The snapshots of a domain, oldest first', v.strictObject({ snapshots: v.array(SnapshotInfo) }));

export const SnapshotCurrent = named('SnapshotCurrent', 'The current snapshot, or null', v.strictObject({ snapshot: v.nullable(SnapshotInfo) }));

export const SnapshotCreateBody = named('SnapshotCreateRequest', 'Take a snapshot (snapshot-create, snapshot-create-as)', v.strictObject({
  xml: v.optional(described(str, 'libvirt domainsnapshot XML; default: all defaults')),
  diskOnly: flag('Disks only, onto new qcow2 overlays (external); no memory'),
  noMetadata: flag('Take the snapshot but keep no record of it'),
  redefine: flag('The XML is an existing snapshot\'s record: only write the metadata'),
  current: flag('With redefine: make it the current snapshot'),
  quiesce: flag("Freeze the guest's file systems through its agent (with diskOnly; not supported yet: refused)"),
}));

export const SnapshotCreateResult = named('SnapshotCreateResult', 'The snapshot taken (null with noMetadata)', v.strictObject({ snapshot: v.nullable(SnapshotInfo) }));

export const SnapshotRevertBody = named('SnapshotRevertRequest', 'Options of snapshot-revert', v.strictObject({
  running: flag('Run the domain after the revert'),
  paused: flag('Leave the domain paused after the revert'),
}));

export const BlockJobBody = named('BlockJobRequest', 'Options of blockpull', v.strictObject({
  bandwidth: v.optional(described(v.pipe(v.number(), v.safeInteger(), v.minValue(1)), 'Speed limit, bytes per second')),
  background: flag('Answer once the job runs (virsh without --wait); its end is a block-job event'),
}));

export const BlockJob = named('BlockJob', 'A block job as QEMU reports it (progress: done out of total)', v.strictObject({
  id: str, type: str, status: str, done: count, total: count,
}));

export const BlockJobsReport = named('BlockJobsReport', 'The block jobs of one disk', v.strictObject({ disk: str, jobs: v.array(BlockJob) }));

export const BlockCommitBody = named('BlockCommitRequest', 'Options of blockcommit (virsh blockcommit; images by path or TARGET[N], N the depth in the chain)', v.strictObject({
  bandwidth: v.optional(described(v.pipe(v.number(), v.safeInteger(), v.minValue(1)), 'Speed limit, bytes per second')),
  top: v.optional(described(str, 'The image to commit (default: the active image)')),
  base: v.optional(described(str, 'The image to commit into (default: the bottom of the chain)')),
  shallow: flag('Commit into the image right under top'),
  active: flag('Top is the active image (an active commit)'),
  pivot: flag('An active commit: switch the disk to base when done (implies active)'),
  keepOverlay: flag('An active commit: leave the disk on top when done (implies active)'),
  delete: flag('Remove the committed images after success (refused if another disk uses one)'),
  keepRelative: flag('A non-active commit: write base into the image above top as a path relative to it'),
  background: flag('Answer once the job runs (virsh without --wait); its end is a block-job event. An active commit without pivot or keepOverlay answers when ready without it'),
}));

export const BlockCommitResult = named('BlockCommitResult', 'The disk, the image it runs on after the commit, the image committed into and the files removed', v.strictObject({
  disk: str, image: str, base: str, deleted: v.array(str),
}));

export const BlockPullResult = named('BlockPullResult', 'The disk whose chain was pulled into its active image', v.strictObject({ disk: str }));
