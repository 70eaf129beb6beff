/**
 * Small JSON cache files for probe results (QEMU capabilities, the KVM
 * probe). A file is named by a hash of what it depends on; a missing,
 * unreadable or corrupt file reads as a miss, so the caller probes again.
 * Writes go to a temp file renamed into place, so a reader never sees half.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A short stable hash of `parts` (JSON-serialisable), for file names. */
export function cacheKey(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 20);
}

export function cacheFile(cacheDir: string, kind: string, key: string): string {
  return join(cacheDir, `${kind}-${key}.json`);
}

/** The parsed file, or undefined when it is missing or not JSON. */
export async function readJsonCache(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

let counter = 0;

export async function writeJsonCache(file: string, dir: string, value: unknown): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const temp = `${file}.tmp-${process.pid}-${++counter}`;
  try {
    await writeFile(temp, `${JSON.stringify(value, null, 1)}\n`, { mode: 0o644 });
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}
