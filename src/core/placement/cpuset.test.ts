import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCpuset } from '../xml/values.js';
import { formatCpuset } from './cpuset.js';

test('CPU sets are written compactly, sorted, without duplicates, and read back the same', () => {
  assert.equal(formatCpuset([]), '');
  assert.equal(formatCpuset([5]), '5');
  assert.equal(formatCpuset([3, 0, 1, 2, 8, 10, 11, 11]), '0-3,8,10-11');
  assert.equal(formatCpuset([16, 48]), '16,48');
  const ids = [0, 2, 3, 4, 7, 9, 10, 31, 32];
  assert.deepEqual(parseCpuset(formatCpuset(ids)), ids);
});
