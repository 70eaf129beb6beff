import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { checkGeneratedFile } from '../../../tests/helpers/generated-file.js';
import { openApiDocument } from './openapi.js';
import { routes } from './routes.js';

// dist/src/daemon/api/ -> repository root
const committed = fileURLToPath(new URL('../../../../openapi.json', import.meta.url));

describe('OpenAPI document', () => {
  const doc = openApiDocument();
  const text = `${JSON.stringify(doc, null, 2)}\n`;

  it('matches the committed openapi.json (regenerate: VIRTKIT_REGENERATE_OPENAPI=1 node scripts/run-tests.mjs unit openapi)', (t) => {
    checkGeneratedFile(t, committed, text, 'VIRTKIT_REGENERATE_OPENAPI', 'npm run build && VIRTKIT_REGENERATE_OPENAPI=1 node scripts/run-tests.mjs unit openapi');
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
