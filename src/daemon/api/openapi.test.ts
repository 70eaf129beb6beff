import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { openApiDocument } from './openapi.js';
import { routes } from './routes.js';

// dist/src/daemon/api/ -> repository root
const committed = fileURLToPath(new URL('../../../../openapi.json', import.meta.url));

describe('OpenAPI document', () => {
  const doc = openApiDocument();
  const text = `${JSON.stringify(doc, null, 2)}\n`;

  it('matches the committed openapi.json (regenerate: VIRTKIT_REGENERATE=1 node scripts/run-tests.mjs unit openapi)', () => {
    if (process.env['VIRTKIT_REGENERATE'] === '1') writeFileSync(committed, text);
    let onDisk = '';
    try {
      onDisk = readFileSync(committed, 'utf8');
    } catch {
      // compared below, so that a missing file fails with the same hint
    }
    assert.ok(onDisk === text, 'openapi.json is stale: run `npm run build && VIRTKIT_REGENERATE=1 node scripts/run-tests.mjs unit openapi` and commit it');
  });

  it('documents every route, and every $ref points at a schema', () => {
    const paths = doc['paths'] as Record<string, Record<string, unknown>>;
    for (const r of routes) assert.ok(paths[r.spec.path]?.[r.spec.method.toLowerCase()], `${r.spec.method} ${r.spec.path}`);
    const schemas = (doc['components'] as { schemas: Record<string, unknown> }).schemas;
    for (const m of text.matchAll(/"\$ref": "#\/components\/schemas\/(\w+)"/g)) {
      assert.ok(schemas[m[1] ?? ''], `dangling $ref ${m[1]}`);
    }
    assert.ok(schemas['DomainInfo'] && schemas['Error']);
  });
});
