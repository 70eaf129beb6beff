import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SerialQueue } from './serial-queue.js';

/** A promise and the function that resolves it, for ordering tasks by hand. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((r) => { open = r; });
  return { opened, open };
}

test('SerialQueue: a task starts only when the one before it has settled', async () => {
  const q = new SerialQueue();
  const seen: string[] = [];
  const first = gate();
  const a = q.run(async () => { seen.push('a start'); await first.opened; seen.push('a end'); return 1; });
  const b = q.run(() => { seen.push('b'); return 2; });
  await Promise.resolve();
  await Promise.resolve();
  assert.deepEqual(seen, ['a start'], 'b waits for a');
  first.open();
  assert.deepEqual(await Promise.all([a, b]), [1, 2]);
  assert.deepEqual(seen, ['a start', 'a end', 'b']);
});

test('SerialQueue: a task that throws rejects its own caller only; the next one still runs', async () => {
  const q = new SerialQueue();
  const failed = q.run(() => Promise.reject(new Error('boom')));
  const thrown = q.run(() => { throw new Error('sync boom'); });
  const after = q.run(() => 'ran');
  await assert.rejects(failed, /^Error: boom$/);
  await assert.rejects(thrown, /^Error: sync boom$/);
  assert.equal(await after, 'ran');
});
