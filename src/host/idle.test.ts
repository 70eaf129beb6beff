import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { busyUntil, whenIdle } from './idle.js';

const turn = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

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

describe('a quiet period', () => {
  test('work that asks for one waits until no request has started or ended for that long', async () => {
    const ran: number[] = [];
    const t0 = performance.now();
    whenIdle(() => ran.push(performance.now() - t0), 60);
    await new Promise((r) => setTimeout(r, 30));
    busyUntil()();
    await new Promise((r) => setTimeout(r, 40));
    assert.deepEqual(ran, [], 'a request ended 40 ms ago: not yet');
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(ran.length, 1);
    assert.ok((ran[0] ?? 0) >= 90, `ran ${ran[0]} ms after it was asked for, 60 ms after the request`);
  });
});
