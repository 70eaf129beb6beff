/**
 * Which secret an encrypted volume virtkit made takes its key from: a note beside the volume
 * (`.NAME.vk-secret`, JSON `{"uuid"}` or `{"usage"}`, never the key itself), written atomically
 * when vol-create makes a LUKS volume and removed with the volume. A pool refresh or a daemon
 * restart reads the image's header for the encryption's format (libvirt stops there: after a
 * refresh it shows `<encryption format='luks'/>` without a secret) and this note for its secret.
 * A note whose volume is gone is removed at the next refresh; notes are never listed as volumes.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeFileDurable, writeFileAtomic } from '../store/atomic.js';

export interface SecretRef {
  readonly uuid?: string;
  readonly usage?: string;
}

const MARK = '.vk-secret';

export function secretNoteName(volume: string): string {
  return `.${volume}${MARK}`;
}

export function isSecretNote(file: string): boolean {
  return file.startsWith('.') && file.endsWith(MARK);
}

export async function writeSecretNote(dir: string, volume: string, ref: SecretRef): Promise<void> {
  await writeFileAtomic(dir, secretNoteName(volume), JSON.stringify({ ...(ref.uuid ? { uuid: ref.uuid } : {}), ...(ref.usage ? { usage: ref.usage } : {}) }));
}

export async function removeSecretNote(dir: string, volume: string): Promise<void> {
  await removeFileDurable(dir, secretNoteName(volume));
}

/** The note's secret reference; undefined when there is none or it is unreadable. */
export async function readSecretNote(dir: string, volume: string): Promise<SecretRef | undefined> {
  try {
    const o = JSON.parse(await readFile(join(dir, secretNoteName(volume)), 'utf8')) as Record<string, unknown>;
    const uuid = typeof o['uuid'] === 'string' ? o['uuid'] : undefined;
    const usage = typeof o['usage'] === 'string' ? o['usage'] : undefined;
    if (uuid === undefined && usage === undefined) return undefined;
    return { ...(uuid === undefined ? {} : { uuid }), ...(usage === undefined ? {} : { usage }) };
  } catch {
    return undefined;
  }
}

/** Removes the notes among `names` (a pool directory's entries) whose volume is not there; their names. */
export async function pruneSecretNotes(dir: string, names: readonly string[]): Promise<string[]> {
  const present = new Set(names);
  const orphans = names.filter((n) => isSecretNote(n) && !present.has(n.slice(1, -MARK.length)));
  for (const n of orphans) await removeFileDurable(dir, n);
  return orphans;
}
