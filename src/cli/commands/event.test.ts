import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventLine } from './event.js';

test("event prints a lifecycle event with each hyphenated word of its event and detail capitalized (eventWord)", () => {
  const at = { domain: 'g', uuid: '8c5a1f0e-3b2d-4c6e-9f1a-2b3c4d5e6f70', timestamp: '2026-12-04T20:00:00.000Z' };
  assert.equal(eventLine({ ...at, event: 'started', detail: 'booted' }), "event 'lifecycle' for domain 'g': Started Booted");
  assert.equal(eventLine({ ...at, event: 'stopped', detail: 'from-snapshot' }), "event 'lifecycle' for domain 'g': Stopped From Snapshot");
});
