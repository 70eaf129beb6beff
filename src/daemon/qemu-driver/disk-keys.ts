/**
 * The key files of a start's LUKS-encrypted disks: one 0600 file per disk in the domain's
 * private run dir (see launch-plan.ts diskKeyFiles), written before QEMU starts. The driver
 * removes them once QEMU's monitor answers; a failed start removes the whole run dir.
 */
import { VirtkitError } from '../../core/errors.js';
import type { DomainDef } from '../../core/xml/domain/index.js';
import { writeKeyFile } from '../../host/key-files.js';
import { diskKeyFiles } from './launch-plan.js';

/** Writes the key of each encrypted disk of `def`; returns the files written. */
export async function writeDiskKeys(def: DomainDef, runDir: string, keys: ReadonlyMap<string, Uint8Array> | undefined): Promise<string[]> {
  const written: string[] = [];
  for (const [dev, file] of Object.entries(diskKeyFiles(def, runDir))) {
    const key = keys?.get(dev);
    if (key === undefined) {
      throw new VirtkitError('INTERNAL_ERROR', `disk '${dev}' is encrypted but the engine passed no key for it`, { details: { disk: dev } });
    }
    await writeKeyFile(file, key);
    written.push(file);
  }
  return written;
}
