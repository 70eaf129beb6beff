import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkGeneratedFile } from '../../../../tests/helpers/generated-file.js';
import { repoRoot } from '../../../../tests/helpers/paths.js';
import { describeSpec } from '../describe.js';
import { poolSpec } from './pool-schema.js';
import { volumeSpec } from './volume-schema.js';

test('docs/storage-xml.md lists exactly the elements the pool and volume schemas accept', (t) => {
  const docPath = join(repoRoot, 'docs', 'storage-xml.md');
  const doc = readFileSync(docPath, 'utf8');
  const start = doc.indexOf('## Supported elements');
  assert.ok(start >= 0, 'docs/storage-xml.md lacks the "## Supported elements" section');
  const end = doc.indexOf('\n\n- `<pool>`', start);
  const head = end >= 0 ? doc.slice(0, end) : doc.trimEnd();
  const expected = `${head}\n\n${describeSpec(poolSpec, 'pool').join('\n')}\n\n${describeSpec(volumeSpec, 'volume').join('\n')}\n`;
  checkGeneratedFile(t, docPath, expected, 'VIRTKIT_REGENERATE_DOCS', 'npm run build && VIRTKIT_REGENERATE_DOCS=1 node scripts/run-tests.mjs unit storage/docs');
});
