/**
 * Reads ISO 9660 images back for tests: files through xorriso (`-osirrox on -indev ISO -extract`), so
 * a test sees what a reader other than the writer's own code sees; the volume descriptors (primary
 * volume id, Joliet, Rock Ridge) straight from the image's bytes (ECMA-119 8.4, Joliet's escape
 * sequences, the RRIP ER entry).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SECTOR = 2048;

/** The regular files in the image, as absolute paths inside it (`/user-data`), sorted. */
export async function listIsoFiles(iso: string): Promise<string[]> {
  const { stdout } = await run('xorriso', ['-indev', iso, '-find', '/', '-type', 'f'], { encoding: 'utf8' });
  return stdout.split('\n').map((l) => /^'(.*)'$/.exec(l.trim())?.[1]).filter((p): p is string => p !== undefined).sort();
}

/** One file's bytes, extracted by xorriso into a temp directory that is removed again. */
export async function readIsoFile(iso: string, pathInIso: string): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'virtkit-iso-read-'));
  try {
    const out = join(dir, 'file');
    await run('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', pathInIso, out], { encoding: 'utf8' });
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface IsoDescriptors {
  /** The primary volume descriptor's volume identifier, trailing spaces removed. */
  volumeId: string;
  /** A supplementary volume descriptor with a Joliet escape sequence (%/@, %/C, %/E). */
  joliet: boolean;
  /** Rock Ridge's ER entry (RRIP_1991A, IEEE_P1282 or IEEE_1282) is in the image. */
  rockRidge: boolean;
}

/** The volume descriptors of an image's bytes; throws when sector 16 is no primary volume descriptor. */
export function isoDescriptors(image: Buffer): IsoDescriptors {
  let volumeId: string | null = null;
  let joliet = false;
  for (let s = 16; (s + 1) * SECTOR <= image.length; s++) {
    const d = image.subarray(s * SECTOR, (s + 1) * SECTOR);
    if (d.toString('latin1', 1, 6) !== 'CD001') break;
    const type = d[0];
    if (type === 255) break; // the set terminator
    if (type === 1) volumeId = d.toString('latin1', 40, 72).replace(/ +$/, '');
    if (type === 2 && ['%/@', '%/C', '%/E'].includes(d.toString('latin1', 88, 91))) joliet = true;
  }
  if (volumeId === null) throw new Error('no ISO 9660 primary volume descriptor at sector 16');
  const text = image.toString('latin1');
  return { volumeId, joliet, rockRidge: /RRIP_1991A|IEEE_P1282|IEEE_1282/.test(text) };
}
