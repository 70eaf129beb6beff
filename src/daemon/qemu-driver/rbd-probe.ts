/**
 * Opens an rbd disk with the rbd tool before QEMU is asked to (at start and at a live attach).
 * QEMU's rbd driver connects inside its main loop: given a key the cluster refuses, librados
 * retries until client_mount_timeout (300 s) with the guest and the monitor frozen, and a start
 * waits for a monitor that never answers. The tool (src/host/storage/rbd.ts) answers within its
 * own bounds with a clear error. Without the tool (no ceph-common) QEMU is asked directly.
 */
import { VirtkitError } from '../../core/errors.js';
import type { DiskDef } from '../../core/xml/domain/index.js';
import { RbdClient } from '../../host/storage/rbd.js';
import type { DiskKeys } from '../driver.js';

export async function probeRbdDisk(disk: DiskDef, keys: DiskKeys | undefined, warn: (m: string) => void): Promise<void> {
  const src = disk.source;
  if (disk.type !== 'network' || src?.protocol !== 'rbd' || src.name === undefined) return;
  const monitors = (src.host ?? []).flatMap((h) => (h.name === undefined ? [] : [{ name: h.name, port: h.port }]));
  if (monitors.length === 0) return;
  const user = src.auth?.username;
  const client = new RbdClient({ monitors, ...(user === undefined || keys?.auth === undefined ? {} : { user, key: keys.auth }) });
  await client.probe(src.name).catch((e: unknown) => {
    if (e instanceof VirtkitError && e.code === 'HOST_UNSUPPORTED') warn(`cannot check rbd disk '${disk.target?.dev ?? ''}' before QEMU opens it: ${e.message}`);
    else throw e;
  });
}

/** Each rbd disk of `disks`, one after the other (the first refusal stops it). */
export async function probeRbdDisks(disks: readonly DiskDef[], keys: ReadonlyMap<string, DiskKeys> | undefined, warn: (m: string) => void): Promise<void> {
  for (const d of disks) await probeRbdDisk(d, keys?.get(d.target?.dev ?? ''), warn);
}
