/**
 * Process and socket helpers of the lifecycle bench: timed child processes,
 * waiting for a UNIX socket, VmRSS, load. Everything the bench starts is
 * registered in `cleanup` so that an error or ^C still stops it.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { loadavg } from 'node:os';

export const now = (): number => performance.now();
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface RunResult {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; the wall time is spawn() to exit. Throws on a non-zero exit. */
export function runTimed(cmd: string, args: readonly string[], opts: SpawnOptions & { allowFail?: boolean } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.once('error', reject);
    child.once('close', (code) => {
      const r = { ms: now() - t0, code, stdout, stderr };
      if (code !== 0 && !opts.allowFail) {
        reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${stderr.trim().slice(-800)}`));
      } else resolve(r);
    });
  });
}

export function canConnect(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(socket);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** Polls `ok` every `everyMs` until it is true; throws after `timeoutMs` naming `what`. */
export async function waitUntil(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 20_000, everyMs = 2): Promise<void> {
  const deadline = now() + timeoutMs;
  while (!(await ok())) {
    if (now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** VmRSS of a process in KiB, undefined when it is gone. */
export function rssKiB(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** A live (not zombie) process with this pid. */
export function alive(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

export function load1(): number {
  return loadavg()[0] ?? 0;
}

export function killQuietly(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined || pid <= 0) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Resolves with the exit once the child has been reaped (at once if it already was). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

type Cleaner = () => Promise<void> | void;
const cleaners: Cleaner[] = [];

/** Registers a clean-up step; `runCleanups` runs them last-in first-out, each at most once. */
export function onCleanup(c: Cleaner): () => void {
  cleaners.push(c);
  return () => {
    const i = cleaners.indexOf(c);
    if (i >= 0) cleaners.splice(i, 1);
  };
}

export async function runCleanups(): Promise<string[]> {
  const errors: string[] = [];
  while (cleaners.length > 0) {
    const c = cleaners.pop();
    try {
      await c?.();
    } catch (e) {
      errors.push(e instanceof Error ? e.message : String(e));
    }
  }
  return errors;
}
