import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkGeneratedFile } from '../../../../tests/helpers/generated-file.js';
import { repoRoot } from '../../../../tests/helpers/paths.js';
import { describeSpec } from '../describe.js';
import { networkSpec } from './schema.js';

test('docs/network-xml.md lists exactly the elements the network schema accepts', (t) => {
  const docPath = join(repoRoot, 'docs', 'network-xml.md');
  const doc = readFileSync(docPath, 'utf8');
  const marker = '## Supported elements';
  const start = doc.indexOf(marker);
  if (start < 0) throw new Error('docs/network-xml.md lacks the "## Supported elements" section');
  const end = doc.indexOf('\n\n- `<network>`', start);
  const head = end >= 0 ? doc.slice(0, end) : doc.trimEnd();
  const expected = `${head}\n\n${describeSpec(networkSpec, 'network').join('\n')}\n`;
  checkGeneratedFile(t, docPath, expected, 'VIRTKIT_REGENERATE_DOCS', 'npm run build && VIRTKIT_REGENERATE_DOCS=1 node scripts/run-tests.mjs unit network/docs');
});
