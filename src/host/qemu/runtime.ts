/**
 * The driver's own record of a running QEMU, kept in the domain's private
 * runtime dir (DIR/qemu.json) next to its sockets: what a restarted daemon
 * needs to find the process again and prove it is the same one (pid + start
 * time + the monitor answering), and what to clean once it is gone.
 * The daemon's StatusStore keeps the domain-level status; this file is
 * QEMU-specific and lives and dies with the runtime dir.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LifecyclePolicy } from '../../core/qemu/lifecycle.js';

export interface QemuRuntimeRecord {
  readonly version: 1;
  readonly pid: number;
  /** /proc/PID/stat field 22. */
  readonly startTicks: string;
  readonly qmpSocket: string;
  /** The serial console's unix socket, when the domain has a serial port. */
  readonly consoleSocket: string | undefined;
  readonly logFile: string;
  readonly binary: string;
  readonly args: readonly string[];
  /** ISO 8601. */
  readonly startedAt: string;
  readonly policy: LifecyclePolicy;
  /** QEMU was started with -no-reboot (every lifecycle action is destroy). */
  readonly noReboot: boolean;
}

export const RUNTIME_FILE = 'qemu.json';

export async function writeRuntimeRecord(runDir: string, rec: QemuRuntimeRecord): Promise<void> {
  const path = join(runDir, RUNTIME_FILE);
  const tmp = `${path}.tmp`;
  await writeFile(tmp, `${JSON.stringify(rec, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, path);
}

/** The record, or undefined when there is none or it does not parse (a crash mid-start). */
export async function readRuntimeRecord(runDir: string): Promise<QemuRuntimeRecord | undefined> {
  let text: string;
  try {
    text = await readFile(join(runDir, RUNTIME_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const rec = JSON.parse(text) as Partial<QemuRuntimeRecord>;
    if (rec.version !== 1 || typeof rec.pid !== 'number' || typeof rec.startTicks !== 'string' || typeof rec.qmpSocket !== 'string') {
      return undefined;
    }
    return rec as QemuRuntimeRecord;
  } catch {
    return undefined;
  }
}

/** Creates the private runtime dir (0700: it holds the monitor socket). */
export async function createRuntimeDir(runDir: string): Promise<void> {
  await rm(runDir, { recursive: true, force: true }); // leftovers of a run nobody cleaned
  await mkdir(runDir, { recursive: true, mode: 0o700 });
}

/** Removes the runtime dir with its sockets, pidfile and record. */
export async function removeRuntimeDir(runDir: string): Promise<void> {
  await rm(runDir, { recursive: true, force: true });
}
