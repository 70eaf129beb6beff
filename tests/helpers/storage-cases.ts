/**
 * libvirt's qemu-img cases (shared/libvirt-cases/storagevol-qemuimg, see its README): pool and
 * volume XML, an optional input pool and volume, flags, and the expected command as an argv.
 * Loaded through the one shared-case loader (shared-cases.ts): absent cases skip the suite.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireSharedSet } from './shared-cases.js';

export interface StorageVolCase {
  name: string;
  poolXml: string;
  volXml: string;
  inputPoolXml?: string;
  inputVolXml?: string;
  flags: Set<string>;
  /** The expected argv (program first); undefined for a SHOULD_FAIL case. */
  expected?: string[];
}

/**
 * A `.argv` file: lines joined by ` \`, one option with its value per line (`-f qcow2`),
 * paths and the size alone on theirs. Returns the argv split into elements.
 */
export function parseArgvFile(text: string): string[] {
  const lines = text.replace(/\n$/, '').split(' \\\n');
  return lines.flatMap((l) => {
    const m = /^(-{1,2}[A-Za-z][\w-]*) (.+)$/.exec(l);
    return m?.[1] !== undefined && m[2] !== undefined ? [m[1], m[2]] : [l];
  });
}

export function loadStorageVolCases(): StorageVolCase[] {
  const dir = requireSharedSet('storagevol-qemuimg');
  const read = (f: string | undefined): string | undefined => (f === undefined || f === '-' ? undefined : readFileSync(join(dir, f), 'utf8'));
  const rows = readFileSync(join(dir, 'INDEX.tsv'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  return rows.slice(1).map((l) => {
    const [name, pool, vol, inPool, inVol, flags, argv] = l.split('\t');
    if (!name || !pool || !vol || !flags || !argv) throw new Error(`${join(dir, 'INDEX.tsv')}: bad line: ${l}`);
    const expectedText = read(argv);
    const c: StorageVolCase = { name, poolXml: read(pool) ?? '', volXml: read(vol) ?? '', flags: new Set(flags === '0' ? [] : flags.split('|')) };
    const ip = read(inPool);
    const iv = read(inVol);
    if (ip !== undefined) c.inputPoolXml = ip;
    if (iv !== undefined) c.inputVolXml = iv;
    if (expectedText !== undefined) c.expected = parseArgvFile(expectedText);
    return c;
  });
}
