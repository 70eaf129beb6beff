import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { VIRTKIT_VERSION } from './version.js';

test('VIRTKIT_VERSION is package.json\'s version (bump both together)', () => {
  // dist/src/core/version.test.js and src/core/version.test.ts are both three levels below the root.
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(VIRTKIT_VERSION, pkg.version, 'update src/core/version.ts to match package.json');
});
