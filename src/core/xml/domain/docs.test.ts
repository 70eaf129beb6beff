import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../../../tests/helpers/paths.js';
import { describeSpec } from '../describe.js';
import { domainSpec } from './schema/domain.js';

test('docs/domain-xml.md lists exactly the elements the schema accepts', () => {
  const docPath = join(repoRoot, 'docs', 'domain-xml.md');
  const doc = readFileSync(docPath, 'utf8');
  const marker = '## Supported elements';
  const start = doc.indexOf(marker);
  assert.ok(start >= 0, 'docs/domain-xml.md lacks the "## Supported elements" section');
  const headEnd = doc.indexOf('\n\n- `<domain>`', start);
  assert.ok(headEnd >= 0, 'the generated list is missing');
  const expected = doc.slice(0, headEnd) + '\n\n' + describeSpec(domainSpec, 'domain').join('\n') + '\n';
  if (process.env['VIRTKIT_REGENERATE'] === '1') writeFileSync(docPath, expected);
  assert.equal(doc, expected, 'docs/domain-xml.md is stale: run the unit tests with VIRTKIT_REGENERATE=1');
});
