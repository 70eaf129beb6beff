// taskset and chrt argv per thread (a recording runner), a thread that ended is skipped, any
// other failure stops; Cpus_allowed_list read from a fake /proc.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { VirtkitError, isVirtkitError } from '../../core/errors.js';
import { allowedCpus, processThreads, setAffinity, setScheduler } from './threads.js';
import type { TuneRunner } from './threads.js';

function recorder(failing: Record<number, string> = {}): { calls: string[]; run: TuneRunner } {
  const calls: string[] = [];
  const run: TuneRunner = (bin, args) => {
    calls.push([bin, ...args].join(' '));
    const said = failing[Number(args[args.length - 1])];
    if (said === undefined) return Promise.resolve('');
    return Promise.reject(new VirtkitError('HOST_TUNING_FAILED', `${bin} failed: ${said}`, { details: { stderr: said } }));
  };
  return { calls, run };
}

test('taskset -p -c per thread; a thread gone meanwhile is skipped, another failure is thrown', async () => {
  const r = recorder({ 11: "taskset: failed to set pid 11's affinity: No such process" });
  await setAffinity([10, 11, 12], [0, 2, 3], r.run);
  assert.deepEqual(r.calls, ['taskset -p -c 0,2-3 10', 'taskset -p -c 0,2-3 11', 'taskset -p -c 0,2-3 12']);
  const bad = recorder({ 10: "taskset: failed to set pid 10's affinity: Invalid argument" });
  await assert.rejects(setAffinity([10, 11], [9], bad.run), (e) => isVirtkitError(e) && e.code === 'HOST_TUNING_FAILED' && /Invalid argument/.test(e.message));
  assert.deepEqual(bad.calls, ['taskset -p -c 9 10']);
});

test('chrt flags per policy', async () => {
  const r = recorder();
  await setScheduler([5], 'fifo', 10, r.run);
  await setScheduler([6], 'rr', 1, r.run);
  await setScheduler([7], 'batch', 0, r.run);
  await setScheduler([8], 'idle', 0, r.run);
  assert.deepEqual(r.calls, ['chrt -f -p 10 5', 'chrt -r -p 1 6', 'chrt -b -p 0 7', 'chrt -i -p 0 8']);
});

test('threads and Cpus_allowed_list from a fake /proc', async () => {
  const proc = await mkdtemp(join(tmpdir(), 'vk-proc-'));
  try {
    for (const tid of [300, 301, 305]) {
      await mkdir(join(proc, '300', 'task', String(tid)), { recursive: true });
      await writeFile(join(proc, '300', 'task', String(tid), 'status'), `Name:\tqemu\nCpus_allowed:\t3\nCpus_allowed_list:\t${tid === 301 ? '1' : '0-1,4'}\n`);
    }
    assert.deepEqual(await processThreads(300, proc), [300, 301, 305]);
    assert.deepEqual(await allowedCpus(300, 301, proc), [1]);
    assert.deepEqual(await allowedCpus(300, 305, proc), [0, 1, 4]);
    assert.equal(await allowedCpus(300, 999, proc), undefined);
  } finally {
    await rm(proc, { recursive: true });
  }
});
