/**
 * The key files of a start's disks: one 0600 file per key in the domain's private run dir (see
 * launch-plan.ts diskKeyFiles), written before QEMU starts, each key as its bytes (a cephx key
 * too: QEMU's rbd driver base64-encodes its secret for librados itself). The driver removes the
 * files once QEMU's monitor answers; a failed start removes the whole run dir.
 */
import { VirtkitError } from '../../core/errors.js';
import type { DomainDef } from '../../core/xml/domain/index.js';
import { writeKeyFile } from '../../host/key-files.js';
import type { DiskKeys } from '../driver.js';
import { diskKeyFiles } from './launch-plan.js';

/** Writes the keys of the disks of `def`; returns the files written. */
export async function writeDiskKeys(def: DomainDef, runDir: string, keys: ReadonlyMap<string, DiskKeys> | undefined): Promise<string[]> {
  const files = diskKeyFiles(def, runDir);
  const written: string[] = [];
  const write = async (dev: string, file: string, kind: keyof DiskKeys): Promise<void> => {
    const key = keys?.get(dev)?.[kind];
    if (key === undefined) {
      throw new VirtkitError('INTERNAL_ERROR', `disk '${dev}' needs its ${kind} key but the engine passed none`, { details: { disk: dev } });
    }
    await writeKeyFile(file, key);
    written.push(file);
  };
  for (const [dev, file] of Object.entries(files.encryption)) await write(dev, file, 'encryption');
  for (const [dev, file] of Object.entries(files.auth)) await write(dev, file, 'auth');
  return written;
}
