import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkGeneratedFile } from '../../../../tests/helpers/generated-file.js';
import { repoRoot } from '../../../../tests/helpers/paths.js';
import { describeSpec } from '../describe.js';
import { domainSpec } from './schema/domain.js';

test('docs/domain-xml.md lists exactly the elements the schema accepts', (t) => {
  const docPath = join(repoRoot, 'docs', 'domain-xml.md');
  const doc = readFileSync(docPath, 'utf8');
  const marker = '## Supported elements';
  const start = doc.indexOf(marker);
  assert.ok(start >= 0, 'docs/domain-xml.md lacks the "## Supported elements" section');
  const headEnd = doc.indexOf('\n\n- `<domain>`', start);
  assert.ok(headEnd >= 0, 'the generated list is missing');
  const expected = doc.slice(0, headEnd) + '\n\n' + describeSpec(domainSpec, 'domain').join('\n') + '\n';
  checkGeneratedFile(t, docPath, expected, 'VIRTKIT_REGENERATE_DOCS', 'npm run build && VIRTKIT_REGENERATE_DOCS=1 node scripts/run-tests.mjs unit domain/docs');
});
