import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../tests/helpers/paths.js';
import { ERROR_CODES, VirtkitError, asVirtkitError } from './errors.js';

test('every error code is documented in docs/errors.md, and nothing else is', () => {
  const doc = readFileSync(join(repoRoot, 'docs', 'errors.md'), 'utf8');
  const documented = [...doc.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual([...documented].sort(), [...ERROR_CODES].sort());
});

test('errors serialize to the one JSON shape and keep their cause', () => {
  const cause = new Error('low level');
  const e = new VirtkitError('IO_ERROR', 'could not write', { details: { path: '/x' }, cause });
  assert.deepEqual(JSON.parse(JSON.stringify(e)), { error: { code: 'IO_ERROR', message: 'could not write', details: { path: '/x' } } });
  assert.equal(e.cause, cause);
  const wrapped = asVirtkitError(new TypeError('boom'));
  assert.equal(wrapped.code, 'INTERNAL_ERROR');
  assert.ok(wrapped.cause instanceof TypeError);
});
