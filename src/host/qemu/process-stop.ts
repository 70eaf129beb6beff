/**
 * Stopping a QEMU, ours (a child) or one a previous daemon started. Signals
 * go only to a process whose identity (pid + start time) still matches, so a
 * recycled pid is never hit. "Gone" is the caller's promise (the monitor
 * closing, or the child's exit), not the process table, where an exited
 * QEMU may linger as a zombie.
 */
import type { ChildProcess } from 'node:child_process';
import { VirtkitError } from '../../core/errors.js';
import { isSameProcess } from './process-files.js';

export interface StopTarget {
  readonly pid: number;
  /** /proc/PID/stat field 22; '' when unknown (then only a child may be signalled). */
  readonly startTicks: string;
  /** Set when this daemon spawned it: signals go through the child handle. */
  readonly child?: ChildProcess;
  /** Resolves when QEMU is gone. */
  readonly gone: Promise<unknown>;
  readonly procRoot?: string;
}

/** Sends `signal` if the process is still the one we started; returns whether it was sent. */
export async function signalQemu(t: StopTarget, signal: NodeJS.Signals): Promise<boolean> {
  if (t.child !== undefined) {
    if (t.child.exitCode !== null || t.child.signalCode !== null) return false;
    return t.child.kill(signal);
  }
  if (t.startTicks === '' || !(await isSameProcess(t.pid, t.startTicks, t.procRoot))) return false;
  try {
    process.kill(t.pid, signal);
    return true;
  } catch {
    return false;
  }
}

function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.then(() => true),
    new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), ms); }),
  ]).finally(() => clearTimeout(timer));
}

export interface StopOptions {
  /** SIGTERM only: fail instead of using SIGKILL (virsh destroy --graceful). */
  readonly graceful: boolean;
  /** How long to wait after SIGTERM (libvirt waits 10 s). */
  readonly termTimeoutMs?: number;
  /** Asks QEMU to quit over its monitor first (used for lifecycle actions). */
  readonly quit?: () => Promise<unknown>;
}

/** Stops QEMU; resolves once it is gone. */
export async function stopQemu(t: StopTarget, opts: StopOptions): Promise<void> {
  const termTimeout = opts.termTimeoutMs ?? 10_000;
  if (opts.quit !== undefined) {
    const asked = await opts.quit().then(() => true, () => false);
    if (asked && (await within(t.gone, termTimeout))) return;
  }
  await signalQemu(t, 'SIGTERM');
  if (await within(t.gone, termTimeout)) return;
  if (opts.graceful) {
    throw new VirtkitError('OPERATION_TIMEOUT', `QEMU (pid ${t.pid}) is still running ${termTimeout} ms after SIGTERM; run destroy without --graceful to kill it`, {
      details: { pid: t.pid },
    });
  }
  await signalQemu(t, 'SIGKILL');
  if (!(await within(t.gone, 5_000))) {
    throw new VirtkitError('QEMU_FAILED', `QEMU (pid ${t.pid}) did not go away after SIGKILL`, { details: { pid: t.pid } });
  }
}
