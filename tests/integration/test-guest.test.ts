// The test guest boots under bare QEMU (TCG), says it is ready on the serial
// console, and powers itself off when QMP presses the ACPI power button.
// QMP is spoken over node:net directly so that this test only depends on QEMU
// and the guest, not on virtkit's own QMP code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { GUEST_APPEND, GUEST_READY_MARKER, ensureTestGuest } from '../helpers/guest.js';

// Hang guards, not timing assertions: TCG on a loaded machine can be slow.
const MARKER_TIMEOUT_MS = 60_000;
const EXIT_TIMEOUT_MS = 30_000;

function withTimeout<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms ${what()}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Connects to a QMP socket, leaves negotiation mode and runs `command`; events in between are skipped. */
async function qmpExecute(path: string, command: string): Promise<void> {
  const sock = createConnection(path);
  const lines = createInterface({ input: sock, crlfDelay: Infinity })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const r = await lines.next();
    if (r.done === true) throw new Error('QMP connection closed');
    return JSON.parse(r.value) as Record<string, unknown>;
  };
  const reply = async (): Promise<void> => {
    for (;;) {
      const msg = await next();
      if ('return' in msg) return;
      if ('error' in msg) throw new Error(`QMP error: ${JSON.stringify(msg['error'])}`);
    }
  };
  try {
    const greeting = await next();
    assert.ok('QMP' in greeting, `expected a QMP greeting, got ${JSON.stringify(greeting)}`);
    sock.write('{"execute":"qmp_capabilities"}\n');
    await reply();
    sock.write(`${JSON.stringify({ execute: command })}\n`);
    await reply();
  } finally {
    sock.destroy();
  }
}

test('test guest boots to its marker and powers off on system_powerdown', { timeout: 900_000 }, async (t) => {
  const guest = await ensureTestGuest();
  const dir = await mkdtemp(join(tmpdir(), 'virtkit-guest-test-'));
  const qmpPath = join(dir, 'qmp.sock');
  const started = Date.now();
  const qemu = spawn('qemu-system-x86_64', [
    '-accel', 'tcg', '-m', '256', '-nodefaults', '-no-user-config', '-display', 'none',
    '-serial', 'stdio',
    '-kernel', guest.kernel, '-initrd', guest.initrd, '-append', GUEST_APPEND,
    '-chardev', `socket,path=${qmpPath},server=on,wait=off,id=mon`, '-mon', 'chardev=mon,mode=control',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const tail = () => `; QEMU output so far:\n${output.slice(-4000)}`;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    qemu.once('error', reject);
    qemu.once('exit', (code, signal) => resolve({ code, signal }));
  });
  // Keep a rejection here from going unhandled while nothing awaits it yet.
  exited.catch(() => undefined);
  const marker = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes(GUEST_READY_MARKER)) resolve();
    };
    qemu.stdout.on('data', onData);
    qemu.stderr.on('data', onData);
    exited.then(({ code, signal }) => reject(new Error(`QEMU exited (code ${code}, signal ${signal}) before the marker${tail()}`)), reject);
  });

  try {
    await withTimeout(marker, MARKER_TIMEOUT_MS, () => `waiting for ${GUEST_READY_MARKER}${tail()}`);
    const ready = Date.now();
    t.diagnostic(`marker after ${ready - started} ms`);

    await qmpExecute(qmpPath, 'system_powerdown');
    const pressed = Date.now();
    const { code, signal } = await withTimeout(exited, EXIT_TIMEOUT_MS, () => `waiting for QEMU to exit after system_powerdown${tail()}`);
    t.diagnostic(`QEMU exited ${Date.now() - pressed} ms after system_powerdown`);
    assert.equal(signal, null, `QEMU was killed by ${signal}${tail()}`);
    assert.equal(code, 0, `QEMU exit code${tail()}`);
    // Exit code 0 also follows a plain `quit`; this line proves the guest's own handler ran.
    assert.match(output, /power button pressed, powering off/);
  } finally {
    if (qemu.exitCode === null && qemu.signalCode === null) {
      qemu.kill('SIGKILL');
      await exited.catch(() => undefined);
    }
    await rm(dir, { recursive: true, force: true });
  }

  // Node reaps its children on 'exit', so a live /proc entry means a stray QEMU.
  assert.ok(qemu.pid === undefined || !existsSync(`/proc/${qemu.pid}`), `QEMU ${qemu.pid} is still running`);
  assert.ok(!existsSync(qmpPath), `${qmpPath} left behind`);
  assert.ok(!existsSync(dir), `${dir} left behind`);
});
