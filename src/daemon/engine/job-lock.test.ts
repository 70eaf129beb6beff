import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isVirtkitError } from '../../core/errors.js';
import { JobLock, JobLocks } from './job-lock.js';

const code = (c: string) => (e: unknown) => isVirtkitError(e) && e.code === c;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
    await sleep(5);
    assert.deepEqual(order, []);
    release();
    await Promise.all([a, b]);
    assert.deepEqual(order, ['suspend', 'resume']);
    assert.ok(lock.idle);
  });

  it('gives up after the wait with OPERATION_TIMEOUT and leaves the queue clean', async () => {
    const lock = new JobLock('vm1');
    const release = await lock.acquire('start');
    const t0 = Date.now();
    await assert.rejects(lock.acquire('destroy', 30), code('OPERATION_TIMEOUT'));
    assert.ok(Date.now() - t0 >= 25);
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
    const a = locks.run('a', 'start', 0, async () => { inA = true; await sleep(10); });
    await locks.run('b', 'start', 0, async () => { assert.ok(inA); });
    await assert.rejects(locks.run('a', 'stop', 0, async () => undefined), code('OPERATION_IN_PROGRESS'));
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
