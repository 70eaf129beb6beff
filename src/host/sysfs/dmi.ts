/**
 * The SMBIOS strings the kernel exports in /sys/class/dmi/id (under a root tests point at a
 * fake tree), for the sysinfo XML (src/core/node/sysinfo.ts). Files that are missing or
 * unreadable (serials and the UUID are root's only) are left out.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DMI_FILES } from '../../core/node/sysinfo.js';

export async function readDmi(root: string): Promise<Record<string, string>> {
  const dir = join(root, 'sys/class/dmi/id');
  const values = await Promise.all(DMI_FILES.map((f) => readFile(join(dir, f), 'utf8').catch(() => undefined)));
  const out: Record<string, string> = {};
  DMI_FILES.forEach((f, i) => {
    const v = values[i];
    if (v !== undefined) out[f] = v;
  });
  return out;
}
