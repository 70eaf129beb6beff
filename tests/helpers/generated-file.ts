/**
 * Committed files generated from code (openapi.json, docs/domain-xml.md): a test compares the
 * committed copy with what the code generates now and fails when it is stale. Each generated set
 * has its own switch (VIRTKIT_REGENERATE_OPENAPI, VIRTKIT_REGENERATE_DOCS, ...); with it set to 1
 * the test rewrites the file instead, and says so in a diagnostic line starting with
 * REGENERATED_PREFIX, which scripts/run-tests.mjs repeats in its summary: a regenerating run never
 * passes silently. Review the change with `git diff` and commit it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { TestContext } from 'node:test';
import { repoRoot } from './paths.js';

/** Diagnostics starting with this are listed by scripts/run-tests.mjs at the end of the run. */
export const REGENERATED_PREFIX = 'regenerated: ';

/** True when the set's variable (e.g. VIRTKIT_REGENERATE_DOCS) is 1. */
export function regenerating(variable: string): boolean {
  return process.env[variable] === '1';
}

/** Reports one regenerated output (a file or a folder) and whether it changed. */
export function reportRegenerated(t: TestContext, what: string, changed: string): void {
  t.diagnostic(`${REGENERATED_PREFIX}${what}: ${changed}`);
}

/**
 * Asserts that `file` holds `expected`; under `variable`=1 writes it and reports whether it changed.
 * `regenerate` is the command line that rewrites it, quoted in the failure message.
 */
export function checkGeneratedFile(t: TestContext, file: string, expected: string, variable: string, regenerate: string): void {
  const name = relative(repoRoot, file);
  const onDisk = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (regenerating(variable)) {
    if (onDisk !== expected) writeFileSync(file, expected);
    reportRegenerated(t, name, onDisk === expected ? 'unchanged' : onDisk === undefined ? 'written (it was missing)' : 'rewritten (it was stale): review with git diff and commit it');
    return;
  }
  assert.ok(onDisk !== undefined, `${name} is missing: run \`${regenerate}\` and commit it`);
  assert.ok(onDisk === expected, `${name} is stale (${firstDifference(onDisk, expected)}): run \`${regenerate}\`, review with git diff and commit it`);
}

/** Where two texts first differ, as "line N: committed ... / generated ...". */
function firstDifference(committed: string, generated: string): string {
  const a = committed.split('\n');
  const b = generated.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return `line ${i + 1}: committed ${JSON.stringify(a[i] ?? '(end)')}, generated ${JSON.stringify(b[i] ?? '(end)')}`;
}
