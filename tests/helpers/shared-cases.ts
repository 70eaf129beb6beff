/**
 * The one loader for the shared reference cases (`shared/libvirt-cases`, copied from libvirt's
 * own test suite; see docs/testing.md). They live outside the repository: `VIRTKIT_SHARED`
 * names the shared/ folder, else `../shared` beside the repository is used.
 *
 * A fresh clone has no shared/ folder. A suite that needs a case set passes `needsShared(set)`
 * as its describe() options and loads the set inside its body:
 *
 *     describe('round-trip', needsShared('domain'), () => {
 *       for (const c of loadDomainCases()) test(c.name, () => ...);
 *     });
 *
 * When the set is absent the suite is skipped with one line saying why and how to get it (and
 * scripts/run-tests.mjs lists it at the end). With `VIRTKIT_REQUIRE_SHARED=1` (CI, `.ci/run`) the
 * suite runs instead and its loading fails with that line, so CI can never pass without them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot } from './paths.js';

/** The case sets under shared/libvirt-cases, with the file whose presence says the set is there. */
const SETS = {
  domain: 'INDEX.tsv',
  'network-dnsmasq': 'SOURCES.tsv',
  'storagevol-qemuimg': 'INDEX.tsv',
  other: 'network',
} as const;
export type SharedSet = keyof typeof SETS;

/** The shared/ folder: VIRTKIT_SHARED, else ../shared beside the repository. It may not exist. */
export function sharedDir(): string {
  const env = process.env['VIRTKIT_SHARED'];
  return env !== undefined && env !== '' ? resolve(env) : resolve(repoRoot, '..', 'shared');
}

/** shared/libvirt-cases/SET. It may not exist: see sharedSetMissing. */
export function sharedSetDir(set: SharedSet): string {
  return join(sharedDir(), 'libvirt-cases', set);
}

/** True when VIRTKIT_REQUIRE_SHARED=1: absent cases fail the suites that need them. */
export function sharedRequired(): boolean {
  return process.env['VIRTKIT_REQUIRE_SHARED'] === '1';
}

/** One line saying why the set is unavailable and how to get it; undefined when it is there. */
export function sharedSetMissing(set: SharedSet): string | undefined {
  const dir = sharedSetDir(set);
  if (existsSync(join(dir, SETS[set]))) return undefined;
  const from = process.env['VIRTKIT_SHARED'] ? 'VIRTKIT_SHARED' : '../shared beside the repository';
  return (
    `shared reference cases not found: no ${join(dir, SETS[set])} (from ${from}); ` +
    'put the shared/ folder beside the repository or set VIRTKIT_SHARED to it (docs/testing.md)'
  );
}

/**
 * describe() options for a suite that needs `set`: `{ skip: reason }` when it is absent, `{}` when
 * it is there or VIRTKIT_REQUIRE_SHARED=1 (then loading it in the suite's body fails the suite).
 */
export function needsShared(set: SharedSet): { skip?: string } {
  const missing = sharedSetMissing(set);
  return missing === undefined || sharedRequired() ? {} : { skip: missing };
}

/** The directory of `set`; throws the one-line reason when it is absent. */
export function requireSharedSet(set: SharedSet): string {
  const missing = sharedSetMissing(set);
  if (missing !== undefined) throw new Error(sharedRequired() ? `${missing}; VIRTKIT_REQUIRE_SHARED=1 makes this a failure` : missing);
  return sharedSetDir(set);
}

/** One libvirt domain case (shared/libvirt-cases/domain/INDEX.tsv). */
export interface DomainCase {
  name: string;
  /** What the case covers (INDEX.tsv's features column). */
  features: string;
  /** The input XML's path and text. */
  xmlFile: string;
  inputXml: string;
  /** libvirt's expected `.args` path and text. */
  argsFile: string;
  expectedArgs: string;
}

/** Reads the domain cases in dir (INDEX.tsv order). */
export function readDomainCases(dir: string): DomainCase[] {
  const rows = readFileSync(join(dir, 'INDEX.tsv'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  return rows.slice(1).map((l) => {
    const [name, input, expected, features] = l.split('\t');
    if (!name || !input || !expected) throw new Error(`${join(dir, 'INDEX.tsv')}: bad line: ${l}`);
    const xmlFile = join(dir, input);
    const argsFile = join(dir, expected);
    return { name, features: features ?? '', xmlFile, inputXml: readFileSync(xmlFile, 'utf8'), argsFile, expectedArgs: readFileSync(argsFile, 'utf8') };
  });
}

/** The domain cases; throws with the one-line reason when they are absent. */
export function loadDomainCases(): DomainCase[] {
  return readDomainCases(requireSharedSet('domain'));
}

