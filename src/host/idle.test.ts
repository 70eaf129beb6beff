import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { busyUntil, whenIdle } from './idle.js';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('work put off until no request is in flight', () => {
  test('with none in flight it runs on a later turn, not during the call', async () => {
    const ran: string[] = [];
    whenIdle(() => ran.push('a'));
    assert.deepEqual(ran, []);
    await turn();
    await turn();
    assert.deepEqual(ran, ['a']);
  });

  test('it waits for every request in flight to end, then runs once', async () => {
    const ran: string[] = [];
    const one = busyUntil();
    const two = busyUntil();
    whenIdle(() => ran.push('x'));
    await turn();
    await turn();
    one();
    one();
    await turn();
    await turn();
    assert.deepEqual(ran, [], 'one request is still in flight (ending the other twice counts once)');
    two();
    await turn();
    await turn();
    assert.deepEqual(ran, ['x']);
    await turn();
    assert.deepEqual(ran, ['x']);
  });

  test('a request that starts before the deferred turn comes keeps it waiting', async () => {
    const ran: string[] = [];
    whenIdle(() => ran.push('y'));
    const r = busyUntil();
    await turn();
    await turn();
    assert.deepEqual(ran, []);
    r();
    await turn();
    await turn();
    assert.deepEqual(ran, ['y']);
  });
});
