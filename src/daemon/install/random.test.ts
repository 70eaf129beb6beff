import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installRandom } from './random.js';

test('the install random source: UUIDs, MACs in 52:54:00, integers below the bound, 8-character temp tokens', () => {
  const macs = new Set<string>();
  for (let i = 0; i < 50; i++) {
    assert.match(installRandom.uuid(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const mac = installRandom.mac();
    assert.match(mac, /^52:54:00(:[0-9a-f]{2}){3}$/);
    macs.add(mac);
    const n = installRandom.int(62);
    assert.ok(Number.isInteger(n) && n >= 0 && n < 62);
    assert.match(installRandom.token(), /^[a-z0-9_]{8}$/);
  }
  assert.ok(macs.size > 1, 'not one fixed MAC');
});
