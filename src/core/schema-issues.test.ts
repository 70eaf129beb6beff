import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as v from 'valibot';
import { issuesText, schemaIssues } from './schema-issues.js';

const issuesOf = (schema: v.GenericSchema, value: unknown) => {
  const r = v.safeParse(schema, value);
  assert.equal(r.success, false);
  return schemaIssues(r.issues ?? []);
};

test('an unknown key, a missing key and a wrong type each name their path', () => {
  const s = v.strictObject({ a: v.strictObject({ b: v.boolean() }), n: v.optional(v.number()) });
  assert.deepEqual(issuesOf(s, { a: { b: true }, extra: 1 }), [{ path: 'extra', message: 'unknown key "extra"' }]);
  assert.deepEqual(issuesOf(s, { n: 1 }), [{ path: 'a', message: 'missing required key' }]);
  const wrong = issuesOf(s, { a: { b: 'yes' } });
  assert.equal(wrong[0]?.path, 'a.b');
  assert.match(issuesText(wrong), /^a\.b: .*boolean/);
  const top = issuesOf(s, null);
  assert.equal(top[0]?.path, '');
  assert.equal(issuesText(top), top[0]?.message, 'a top-level issue has no path prefix');
});
