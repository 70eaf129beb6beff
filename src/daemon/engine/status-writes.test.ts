import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusWrites, type StatusChain } from './status-writes.js';

/** A domain whose state is a counter, and a store whose saves finish only when the test says so. */
function setup() {
  const rec: StatusChain & { state: number } = { statusWrites: Promise.resolve(), state: 0 };
  const saved: number[] = [];
  const held: (() => void)[] = [];
  const writes = new StatusWrites<typeof rec>();
  const write = (): Promise<void> => writes.write(rec, async () => {
    const state = rec.state; // read when the write starts, as EngineContext.statusOf does
    await new Promise<void>((resolve) => held.push(resolve));
    saved.push(state);
  });
  const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  return { rec, saved, held, write, settle };
}

describe('StatusWrites', () => {
  it('coalesces the requests made during a write into one write of the newest state', async () => {
    const { rec, saved, held, write, settle } = setup();
    rec.state = 1;
    const first = write();
    await settle();
    rec.state = 2;
    const second = write();
    rec.state = 3;
    const third = write();
    assert.equal(second, third, 'the requests queued behind the write in flight share one write');
    held.shift()?.();
    await first;
    assert.deepEqual(saved, [1]);
    await settle();
    assert.equal(held.length, 1, 'one write for both queued requests');
    held.shift()?.();
    await Promise.all([second, third]);
    assert.deepEqual(saved, [1, 3]);
    assert.equal(held.length, 0);
  });

  it('gives a request made once the queued write has started a write of its own', async () => {
    const { rec, saved, held, write, settle } = setup();
    const first = write();
    await settle();
    const second = write();
    held.shift()?.();
    await first;
    await settle();
    // `second` has started (it read state 0): a change now needs another write.
    rec.state = 7;
    const third = write();
    assert.notEqual(third, second);
    held.shift()?.();
    await second;
    await settle();
    held.shift()?.();
    await third;
    assert.deepEqual(saved, [0, 0, 7]);
  });

  it('rejects every request that shared a failed write, and the next write still runs', async () => {
    const rec: StatusChain = { statusWrites: Promise.resolve() };
    const writes = new StatusWrites<StatusChain>();
    let release!: () => void;
    const first = writes.write(rec, () => new Promise<void>((resolve) => { release = resolve; }));
    await new Promise((resolve) => setImmediate(resolve));
    const fail = (): Promise<void> => Promise.reject(new Error('disk full'));
    const a = writes.write(rec, fail);
    const b = writes.write(rec, fail);
    release();
    await first;
    await assert.rejects(a, /disk full/);
    await assert.rejects(b, /disk full/);
    let ran = false;
    await writes.write(rec, () => { ran = true; return Promise.resolve(); });
    assert.equal(ran, true);
    await rec.statusWrites;
  });
});
