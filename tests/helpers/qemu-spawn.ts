/**
 * A bare QEMU with a QMP socket in a fresh temp dir, for integration tests
 * that talk QMP directly. `stop()` ends it (SIGKILL if still running), waits
 * for the child's exit, removes the dir and checks that nothing is left:
 * no process running our command line, no socket, no dir.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';

export const QEMU_BINARY = process.env['VIRTKIT_QEMU'] ?? 'qemu-system-x86_64';

export interface TestQemu {
  readonly dir: string;
  readonly qmpPath: string;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** QEMU's stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Whether a live process still runs with `marker` in its command line (zombies do not count). */
export function processWithArg(pid: number | undefined, marker: string): boolean {
  if (pid === undefined) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/\) Z /.test(stat)) return false;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return false;
  }
}

/** Pids of live processes (zombies excluded) whose command line contains `marker`. */
export function processesMentioning(marker: string): number[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number).filter((pid) => pid !== process.pid && processWithArg(pid, marker));
}

export async function startTestQemu(args: readonly string[]): Promise<TestQemu> {
  const dir = await mkdtemp(join(tmpdir(), 'virtkit-qmp-test-'));
  const qmpPath = join(dir, 'qmp.sock');
  const child = spawn(QEMU_BINARY, [
    '-nodefaults', '-no-user-config', '-display', 'none',
    ...args,
    '-chardev', `socket,id=qmp,path=${qmpPath.replace(/,/g, ',,')},server=on,wait=off`, '-mon', 'chardev=qmp,mode=control',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  exited.catch(() => undefined);
  return {
    dir,
    qmpPath,
    child,
    exited,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited.catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
      assert.equal(processWithArg(child.pid, dir), false, `QEMU ${child.pid} still runs`);
      assert.equal(existsSync(dir), false);
    },
  };
}
