// balloonKiB tells "no balloon device" from a monitor that failed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtkitError } from '../../core/errors.js';
import type { Monitor } from './monitor.js';
import { balloonKiB } from './stats.js';

const answering = (reply: () => Promise<unknown>): Monitor => ({
  execute: reply, onEvent: () => undefined, closed: new Promise(() => undefined), close: () => undefined,
});

test('balloonKiB: the balloon size; undefined only without a balloon device; other failures are thrown', async () => {
  assert.equal(await balloonKiB(answering(() => Promise.resolve({ actual: 256 * 1024 * 1024 }))), 262144);
  const noBalloon = new VirtkitError('QMP_COMMAND_FAILED', 'No balloon device has been activated', {
    details: { class: 'DeviceNotActive', desc: 'No balloon device has been activated', command: 'query-balloon' },
  });
  assert.equal(await balloonKiB(answering(() => Promise.reject(noBalloon))), undefined);
  const gone = new VirtkitError('QMP_DISCONNECTED', 'the QMP connection closed');
  await assert.rejects(balloonKiB(answering(() => Promise.reject(gone))), (e) => e === gone);
});
