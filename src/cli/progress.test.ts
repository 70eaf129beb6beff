import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Context } from './framework.js';
import { percentBar, progressBar, progressLine } from './progress.js';

test('the progress line fills its bar by whole thirtieths and rounds the percent down', () => {
  assert.equal(progressLine('Uploading a', 0, 4 << 20), `Uploading a [${' '.repeat(30)}]   0% 0.00 B / 4.00 MiB`);
  assert.equal(progressLine('Uploading a', 1 << 20, 4 << 20), `Uploading a [${'#'.repeat(8)}${' '.repeat(22)}]  25% 1.00 MiB / 4.00 MiB`);
  assert.equal(progressLine('Uploading a', (4 << 20) - 1, 4 << 20), `Uploading a [${'#'.repeat(30)}]  99% 4.00 MiB / 4.00 MiB`);
  assert.equal(progressLine('Downloading a', 0, 0), `Downloading a [${'#'.repeat(30)}] 100% 0.00 B / 0.00 B`);
});

test('a bar is drawn only on a terminal, never with --json, and once per whole percent', () => {
  const lines: string[] = [];
  const ctx = (tty: boolean | undefined, json: boolean): Context => ({
    io: { stdout: () => undefined, stderr: (t) => lines.push(t), env: {}, cwd: '/', ...(tty === undefined ? {} : { tty }) },
    json, client: () => { throw new Error('no client'); }, print: () => undefined, printJson: () => undefined, bare: () => undefined,
  });
  assert.equal(progressBar(ctx(undefined, false), 'x'), undefined);
  assert.equal(progressBar(ctx(false, false), 'x'), undefined);
  assert.equal(progressBar(ctx(true, true), 'x'), undefined);
  const bar = progressBar(ctx(true, false), 'x');
  assert.ok(bar);
  bar.update(1, 1000);
  bar.update(5, 1000);
  bar.update(10, 1000);
  bar.update(1000, 1000);
  bar.end();
  assert.deepEqual(lines.map((l) => l.replace(/\[.*\]/, '[]')), ['\rx []   0% 1.00 B / 1000.00 B', '\rx []   1% 10.00 B / 1000.00 B', '\rx [] 100% 1000.00 B / 1000.00 B', '\n']);
});

test('a percent bar (vol-clone, vol-create-from) is drawn as virsh draws a job, on a terminal only', () => {
  const lines: string[] = [];
  const ctx = (tty: boolean | undefined, json: boolean): Context => ({
    io: { stdout: () => undefined, stderr: (t) => lines.push(t), env: {}, cwd: '/', ...(tty === undefined ? {} : { tty }) },
    json, client: () => { throw new Error('no client'); }, print: () => undefined, printJson: () => undefined, bare: () => undefined,
  });
  assert.equal(percentBar(ctx(undefined, false), 'Clone'), undefined);
  assert.equal(percentBar(ctx(false, false), 'Clone'), undefined);
  assert.equal(percentBar(ctx(true, true), 'Clone'), undefined);
  const silent = percentBar(ctx(true, false), 'Clone');
  silent?.end();
  assert.deepEqual(lines, [], 'nothing drawn, no newline');
  const bar = percentBar(ctx(true, false), 'Clone');
  assert.ok(bar);
  for (const p of [0, 0.5, 7, 7.9, 100]) bar.update(p);
  bar.end();
  assert.deepEqual(lines, ['\rClone: [  0 %]', '\rClone: [  7 %]', '\rClone: [100 %]', '\n']);
});
