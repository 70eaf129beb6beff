/**
 * A copy that shares the file's extents (FICLONE, through coreutils' `cp --reflink=always`): on
 * btrfs or XFS it is instant and takes no space; elsewhere cp fails (STORAGE_FAILED quoting it,
 * e.g. "Operation not supported") rather than falling back to a full copy, as libvirt's
 * VIR_STORAGE_VOL_CREATE_REFLINK fails.
 */
import { runTool } from './tool.js';

export async function reflinkCopy(source: string, target: string): Promise<void> {
  await runTool('cp', ['--reflink=always', '--', source, target]);
}
