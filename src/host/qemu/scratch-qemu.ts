/**
 * A throwaway QEMU for asking questions over QMP (capability probes): it
 * runs in a fresh temp dir with its monitor there, answers `fn`, and is
 * gone (quit, or SIGKILL if it does not exit) with the dir removed before
 * this resolves. "Gone" is the child's exit event, never the process table.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtkitError } from '../../core/errors.js';
import { connectQmp } from '../qmp/connection.js';
import type { QmpConnection } from '../qmp/connection.js';

export interface ScratchQemuOptions {
  /** Connecting and each command (default 30 s). */
  readonly timeoutMs?: number;
  /** Where the temp dir goes (default os.tmpdir()). */
  readonly tmpDir?: string;
}

type Exit = { code: number | null; signal: NodeJS.Signals | null };

async function exitedWithin(exited: Promise<Exit>, ms: number): Promise<Exit | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), ms); });
  try {
    return await Promise.race([exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

export async function withScratchQemu<T>(binary: string, args: readonly string[], fn: (conn: QmpConnection) => Promise<T>, opts: ScratchQemuOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const dir = await mkdtemp(join(opts.tmpDir ?? tmpdir(), 'virtkit-qemu-'));
  const sock = join(dir, 'qmp.sock');
  let stderr = '';
  const child = spawn(binary, [...args, '-qmp', `unix:${sock.replace(/,/g, ',,')},server=on,wait=off`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { LC_ALL: 'C', PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
  });
  child.stderr.on('data', (c: Buffer) => { stderr = (stderr + c.toString()).slice(-4000); });
  const gone = new AbortController();
  const exited = new Promise<Exit>((resolve) => {
    child.once('error', (err) => { gone.abort(err); resolve({ code: null, signal: null }); });
    child.once('exit', (code, signal) => { gone.abort(new Error('QEMU exited')); resolve({ code, signal }); });
  });
  const failure = (e: Exit, cause: unknown): VirtkitError => new VirtkitError('QEMU_FAILED',
    `${binary} ${e.signal !== null ? `was killed by ${e.signal}` : `exited with code ${e.code}`} while probing` +
    (stderr.trim() === '' ? '' : `: ${stderr.trim()}`), { cause, details: { binary, args: [...args] } });
  let conn: QmpConnection | undefined;
  let quitSent = false;
  try {
    conn = await connectQmp(sock, { timeoutMs, signal: gone.signal, commandTimeoutMs: timeoutMs });
    const result = await fn(conn);
    quitSent = true;
    await conn.execute('quit');
    await conn.disconnected;
    return result;
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'QMP_DISCONNECTED') throw err;
    // The monitor closing first and the exit event coming a moment later is the usual order.
    const exit = await exitedWithin(exited, 2_000);
    const reason: unknown = gone.signal.reason;
    if ((reason as { code?: unknown } | undefined)?.code === 'ENOENT') {
      throw new VirtkitError('QEMU_NOT_FOUND', `cannot run ${binary}: not found`, { cause: reason });
    }
    // QEMU dying mid-question: say why, in its own words.
    throw exit === undefined ? err : failure(exit, err);
  } finally {
    await conn?.close();
    // After quit QEMU exits by itself; after a failure there is nothing left to wait for.
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, quitSent ? 5_000 : 0);
    await exited;
    clearTimeout(timer);
    await rm(dir, { recursive: true, force: true });
  }
}
