/**
 * Golden test of buildQemuArgv against libvirt's own expected command lines
 * (../shared/libvirt-cases/domain). Every case either matches after
 * normalization (normalize.ts) or is listed with its reason in
 * expected-differences.tsv; the test fails both when an unlisted case differs
 * and when a listed case starts matching, so the list stays honest.
 * VIRTKIT_REGENERATE_ARGV=1 writes normalized actual/expected outputs to
 * tests/golden/out/NAME.{actual,expected} for review (never auto-accepted)
 * and reports how many of them changed.
 * Without ../shared (or VIRTKIT_SHARED) the suite is skipped, see shared-cases.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { buildQemuArgv } from '../../src/core/qemu/argv/index.js';
import { regenerating, reportRegenerated } from '../helpers/generated-file.js';
import { qemu72Caps } from './caps.js';
import { libvirtTestPaths, loadCases, needsShared, preparedDef, repoRoot, testLibDir } from './cases.js';
import { diffNormalized, normalizeArgs, parseArgsText } from './normalize.js';

function expectedDifferences(): Map<string, string> {
  const text = readFileSync(join(repoRoot(), 'tests', 'golden', 'expected-differences.tsv'), 'utf8');
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [name, reason] = line.split('\t');
    if (!name || !reason) throw new Error(`expected-differences.tsv: '${line}' needs CASE<TAB>REASON`);
    out.set(name, reason);
  }
  return out;
}

/** Writes a review file; returns true when its content changed. */
function writeReview(file: string, text: string): boolean {
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return false;
  writeFileSync(file, text);
  return true;
}

describe('argv golden', needsShared('domain'), () => test('argv golden: libvirt reference cases', (t) => {
  const cases = loadCases();
  assert.equal(cases.length, 36, 'INDEX.tsv lists 36 cases');
  const listed = expectedDifferences();
  const regenerate = regenerating('VIRTKIT_REGENERATE_ARGV');
  const outDir = join(repoRoot(), 'tests', 'golden', 'out');
  if (regenerate) mkdirSync(outDir, { recursive: true });
  let reviewChanged = 0;
  const problems: string[] = [];
  let exact = 0;
  let expectedDiff = 0;
  for (const c of cases) {
    let diffs: string[];
    let actualLines: string[] = [];
    const exp = parseArgsText(c.expectedArgs);
    const libDir = testLibDir(exp.args[1]?.replace(/^guest=/, '').split(',')[0] ?? '');
    const expected = normalizeArgs(exp.args, { libDir });
    try {
      const def = preparedDef(c.inputXml);
      const argv = buildQemuArgv(def, qemu72Caps(), libvirtTestPaths(def));
      assert.equal(argv.binary, exp.binary, `${c.name}: binary`);
      const actual = normalizeArgs(argv.args, { libDir: testLibDir(def.name) });
      actualLines = actual.lines;
      diffs = diffNormalized(actual, expected);
    } catch (e) {
      diffs = [`error: ${(e as Error).message}`];
    }
    if (regenerate) {
      if (writeReview(join(outDir, `${c.name}.actual`), actualLines.join('\n') + '\n')) reviewChanged++;
      if (writeReview(join(outDir, `${c.name}.expected`), expected.lines.join('\n') + '\n')) reviewChanged++;
    }
    const reason = listed.get(c.name);
    if (diffs.length === 0) {
      exact++;
      if (reason !== undefined) problems.push(`${c.name}: listed in expected-differences.tsv ("${reason}") but now matches: remove it from the list`);
    } else if (reason !== undefined) {
      expectedDiff++;
    } else {
      problems.push(`${c.name}: differs from libvirt and is not listed in expected-differences.tsv:\n    ${diffs.slice(0, 8).join('\n    ')}`);
    }
  }
  for (const name of listed.keys()) if (!cases.some((c) => c.name === name)) problems.push(`expected-differences.tsv lists '${name}', which is not a case`);
  console.log(`argv golden: ${exact}/${cases.length} match exactly, ${expectedDiff} expected differences`);
  if (regenerate) reportRegenerated(t, 'tests/golden/out/', `${cases.length * 2} review files, ${reviewChanged} changed (diff NAME.actual NAME.expected; nothing is accepted automatically)`);
  assert.deepEqual(problems, [], problems.join('\n'));
}));
