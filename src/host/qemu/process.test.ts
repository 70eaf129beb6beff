// Process identity from a fake procfs tree, QEMU's error lines from a log, and
// stopping real (non-QEMU) child processes: SIGTERM, the SIGKILL fallback,
// --graceful, and a recycled pid that must not be signalled.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isSameProcess, parseStartTicks, procStartTicks, readLogSince } from './process-files.js';
import { signalQemu, stopQemu } from './process-stop.js';
import { quoteCommandLine } from './process.js';

const stat = (comm: string, state: string, start: number): string =>
  `4242 (${comm}) ${state} 1 4242 4242 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 5 0 ${start} 1000 100 0 0 0 0 0 0 0 0\n`;

test('start time is field 22, also when the command name holds spaces and parentheses', () => {
  assert.equal(parseStartTicks(stat('qemu-system-x86', 'S', 987654)), '987654');
  assert.equal(parseStartTicks(stat('a) b (c', 'R', 5)), '5');
  assert.equal(parseStartTicks(stat('qemu', 'Z', 5)), undefined, 'a zombie has exited');
  assert.equal(parseStartTicks('garbage'), undefined);
});

test('identity: same pid and start time only, read under an injected /proc', async () => {
  const root = await mkdtemp(join(tmpdir(), 'vk-proc-'));
  try {
    await mkdir(join(root, '4242'));
    await writeFile(join(root, '4242', 'stat'), stat('qemu', 'S', 1234));
    assert.equal(await procStartTicks(4242, root), '1234');
    assert.equal(await isSameProcess(4242, '1234', root), true);
    assert.equal(await isSameProcess(4242, '999', root), false, 'the pid was recycled');
    assert.equal(await isSameProcess(4243, '1234', root), false, 'no such process');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("QEMU's error: the non-empty lines after this run's header, at most the last 12", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vk-log-'));
  try {
    const log = join(dir, 'g.log');
    const old = 'old run: qemu: something from last time\n';
    const header = '2026-01-01 00:00:00.000+0000: starting up\nLC_ALL=C qemu-system-x86_64 -name guest=g\n';
    const lines = Array.from({ length: 15 }, (_, i) => `qemu-system-x86_64: line ${i}`).join('\n\n');
    await writeFile(log, old + header + lines + '\n');
    const tail = await readLogSince(log, Buffer.byteLength(old + header));
    assert.equal(tail.split('\n').length, 12);
    assert.match(tail, /line 14$/);
    assert.doesNotMatch(tail, /old run|starting up/);
    assert.equal(await readLogSince(join(dir, 'missing.log'), 0), '');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the logged command line quotes what a shell would split', () => {
  assert.equal(quoteCommandLine(['qemu', '-append', 'console=ttyS0 quiet', "it's"]), `qemu -append 'console=ttyS0 quiet' 'it'\\''s'`);
});

/**
 * A node child running `script`; `ready` resolves when it writes its first line to stdout
 * (the scripts print once their signal handlers are installed: a handshake, not a sleep).
 */
function child(script: string): { pid: number; gone: Promise<unknown>; ready: Promise<void>; proc: ReturnType<typeof spawn> } {
  const proc = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  const gone = new Promise((resolve) => proc.once('exit', resolve));
  const ready = new Promise<void>((resolve, reject) => {
    proc.stdout?.once('data', () => resolve());
    void gone.then(() => reject(new Error('the child exited before it was ready')));
  });
  ready.catch(() => undefined);
  return { pid: proc.pid ?? -1, gone, ready, proc };
}

const IDLE = "setInterval(() => {}, 1000); console.log('ready')";
const STUBBORN = "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('ready')";

test('stop: SIGTERM is enough for a process that honours it', async () => {
  const c = child(IDLE);
  await c.ready;
  // A generous wait: the exit must come from the SIGTERM, whatever the load; the signal proves which one.
  await stopQemu({ pid: c.pid, startTicks: '', child: c.proc, gone: c.gone }, { graceful: false, termTimeoutMs: 60_000 });
  assert.equal(c.proc.signalCode, 'SIGTERM');
});

test('stop: SIGKILL after the timeout; --graceful fails instead', async () => {
  const a = child(STUBBORN);
  await a.ready; // its SIGTERM handler is installed
  await assert.rejects(
    stopQemu({ pid: a.pid, startTicks: '', child: a.proc, gone: a.gone }, { graceful: true, termTimeoutMs: 200 }),
    (e: Error & { code?: string }) => e.code === 'OPERATION_TIMEOUT' && /without --graceful/.test(e.message),
  );
  assert.equal(a.proc.exitCode, null, 'still running after --graceful gave up');
  assert.equal(a.proc.signalCode, null);
  await stopQemu({ pid: a.pid, startTicks: '', child: a.proc, gone: a.gone }, { graceful: false, termTimeoutMs: 200 });
  assert.equal(a.proc.signalCode, 'SIGKILL');
});

test('a process that is not the one we started (pid recycled) is never signalled', async () => {
  const c = child(IDLE);
  try {
    await c.ready;
    const real = await procStartTicks(c.pid);
    assert.ok(real !== undefined);
    assert.equal(await signalQemu({ pid: c.pid, startTicks: `${real}1`, gone: c.gone }, 'SIGTERM'), false);
    assert.equal(c.proc.exitCode, null);
    assert.equal(await signalQemu({ pid: c.pid, startTicks: real, gone: c.gone }, 'SIGTERM'), true);
    await c.gone;
  } finally {
    c.proc.kill('SIGKILL');
  }
});
