import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

// The CLI takes the API's types from src/core/api with `import type`, which the compiler erases;
// one value import of the schemas would load valibot on every command and slow start-up.
// This walks the compiled modules the CLI can load, static and dynamic imports alike.
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)'([^']+)'/g;

function reachable(entry: string): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const todo = [entry];
  for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      if (spec === undefined) continue;
      if (spec.startsWith('.')) todo.push(resolve(dirname(file), spec));
      else if (!packages.has(spec)) packages.set(spec, file);
    }
  }
  return { files, packages };
}

describe('CLI start-up', () => {
  it('never loads the schema library', () => {
    const { files, packages } = reachable(fileURLToPath(new URL('./main.js', import.meta.url)));
    assert.ok(files.size > 20, `found only ${files.size} modules: the import scan is broken`);
    assert.ok(packages.has('ws'), 'the scan should see the lazily loaded ws');
    const schemaLibs = [...packages].filter(([p]) => /valibot/.test(p));
    assert.deepEqual(schemaLibs, [], 'a CLI module imports a value from src/core/api/schemas.ts: use `import type`');
  });
});
