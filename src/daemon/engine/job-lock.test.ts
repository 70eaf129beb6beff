import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isVirtkitError } from '../../core/errors.js';
import { JobLock, JobLocks } from './job-lock.js';

const code = (c: string) => (e: unknown) => isVirtkitError(e) && e.code === c;
/** Runs every pending promise callback: a grant that was due would have happened by then. */
const settle = () => new Promise((r) => setImmediate(r));

describe('job lock', () => {
  it('refuses a second job at once with OPERATION_IN_PROGRESS, naming the running job', async () => {
    const lock = new JobLock('vm1', () => 0);
    const release = await lock.acquire('start');
    await assert.rejects(lock.acquire('destroy'), (e) => {
      assert.ok(isVirtkitError(e));
      assert.equal(e.code, 'OPERATION_IN_PROGRESS');
      assert.match(e.message, /job 'start'/);
      return true;
    });
    release();
    (await lock.acquire('destroy'))();
    assert.ok(lock.idle);
  });

  it('lets a waiting job in when the holder finishes, in arrival order', async () => {
    const lock = new JobLock('vm1');
    const order: string[] = [];
    const release = await lock.acquire('start');
    const a = lock.acquire('suspend', 1000).then((r) => { order.push('suspend'); r(); });
    const b = lock.acquire('resume', 1000).then((r) => { order.push('resume'); r(); });
    await settle();
    assert.deepEqual(order, [], 'nobody gets the lock while it is held');
    release();
    await Promise.all([a, b]);
    assert.deepEqual(order, ['suspend', 'resume']);
    assert.ok(lock.idle);
  });

  it('gives up after the wait with OPERATION_TIMEOUT and leaves the queue clean', async (t) => {
    // The wait runs on mocked timers: the test moves the clock, no wall-clock time is measured.
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const lock = new JobLock('vm1');
    const release = await lock.acquire('start');
    let outcome: unknown;
    const waiting = lock.acquire('destroy', 30).then(() => 'granted', (e: unknown) => e);
    void waiting.then((v) => { outcome = v; });
    t.mock.timers.tick(29);
    await settle();
    assert.equal(outcome, undefined, 'still waiting 1 ms before its limit');
    assert.equal(lock.idle, false);
    t.mock.timers.tick(1);
    const e = await waiting;
    assert.ok(code('OPERATION_TIMEOUT')(e), String(e));
    assert.match((e as Error).message, /waited 30 ms for job 'start'/);
    release();
    assert.ok(lock.idle);
  });

  it('ignores a second release', async () => {
    const lock = new JobLock('vm1');
    const release = await lock.acquire('start');
    release();
    const r2 = await lock.acquire('stop');
    release();
    assert.equal(lock.holder?.job, 'stop');
    r2();
  });

  it('keeps domains independent and drops idle locks', async () => {
    const locks = new JobLocks();
    let inA = false;
    let finishA = (): void => undefined;
    const aMayFinish = new Promise<void>((r) => { finishA = r; });
    const a = locks.run('a', 'start', 0, async () => { inA = true; await aMayFinish; });
    await locks.run('b', 'start', 0, async () => { assert.ok(inA); });
    await assert.rejects(locks.run('a', 'stop', 0, async () => undefined), code('OPERATION_IN_PROGRESS'));
    assert.equal(locks.holder('a')?.job, 'start');
    finishA();
    await a;
    assert.equal(locks.holder('a'), undefined);
    await locks.run('a', 'stop', 0, async () => undefined);
  });

  it('releases the lock when the job throws', async () => {
    const locks = new JobLocks();
    await assert.rejects(locks.run('a', 'start', 0, async () => { throw new Error('boom'); }), /boom/);
    await locks.run('a', 'start', 0, async () => undefined);
  });
});
