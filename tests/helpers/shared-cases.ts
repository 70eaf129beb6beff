/**
 * The one loader for the shared reference cases (`shared/libvirt-cases`, copied from libvirt's
 * own test suite; see docs/testing.md). They live outside the repository: `VIRTKIT_SHARED`
 * names the shared/ folder, else `../shared` beside the repository is used.
 *
 * A fresh clone has no shared/ folder. A suite that needs the cases declares itself with
 * `describeShared` / `describeDomainCases`: when the cases are absent the suite is skipped with
 * one line saying why and how to get them, and with `VIRTKIT_REQUIRE_SHARED=1` (CI, `.ci/run`)
 * it fails instead, so CI can never pass without them.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
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
 * Declares suite `name` over one case set: `load(dir)` reads it, `body(data)` declares the tests.
 * Absent set: the suite is skipped with the reason, or fails under VIRTKIT_REQUIRE_SHARED=1.
 */
export function describeShared<T>(name: string, set: SharedSet, load: (dir: string) => T, body: (data: T) => void): void {
  const missing = sharedSetMissing(set);
  if (missing === undefined) {
    const data = load(sharedSetDir(set));
    describe(name, () => body(data));
  } else if (sharedRequired()) {
    describe(name, () => {
      it('has the shared reference cases (VIRTKIT_REQUIRE_SHARED=1)', () => assert.fail(missing));
    });
  } else {
    describe(name, { skip: missing }, () => {});
  }
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

/** The domain cases; throws with the one-line reason when they are absent (for the bench and scripts). */
export function loadDomainCases(): DomainCase[] {
  const missing = sharedSetMissing('domain');
  if (missing !== undefined) throw new Error(missing);
  return readDomainCases(sharedSetDir('domain'));
}

/** describeShared over the domain cases. */
export function describeDomainCases(name: string, body: (cases: DomainCase[]) => void): void {
  describeShared(name, 'domain', readDomainCases, body);
}
