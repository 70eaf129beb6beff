/**
 * A network's dnsmasq: started in the foreground (`--keep-in-foreground`, so that it is this
 * daemon's child and its exit is seen at once), detached into its own process group so that it
 * outlives a daemon restart, its stderr in NAME.log beside its other files. Ready when it has
 * written its pid file; an exit before that fails the start quoting its log. Stopping: SIGTERM,
 * then wait until the process is gone; a dnsmasq adopted after a daemon restart is no child of
 * ours: it is found by its pid file, checked to be the dnsmasq of that configuration file
 * (/proc/PID/cmdline), and counted gone once /proc says it is gone or a zombie (PID 1 reaps it
 * when it gets to it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { VirtkitError } from '../../core/errors.js';
import type { DnsmasqHandle } from './records.js';

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;
const POLL_MS = 10;

async function readPid(pidFile: string): Promise<number | undefined> {
  const t = await readFile(pidFile, 'utf8').catch(() => '');
  const n = Number.parseInt(t.trim(), 10);
  return Number.isInteger(n) && n > 1 ? n : undefined;
}

/** Whether `pid` is a live (not zombie) process running with `confArg` on its command line. */
export async function isOurDnsmasq(pid: number, confArg: string): Promise<boolean> {
  const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  if (cmd === undefined || !cmd.split('\0').includes(confArg)) return false;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== '' && state !== 'Z' && state !== 'X';
}

/** The running dnsmasq of a configuration recorded in its pid file, if it still runs. */
export async function findDnsmasq(pidFile: string, confArg: string): Promise<number | undefined> {
  const pid = await readPid(pidFile);
  return pid !== undefined && (await isOurDnsmasq(pid, confArg)) ? pid : undefined;
}

export async function startDnsmasq(argv: readonly string[], pidFile: string, logFile: string, onExit: (code: number | null, signal: string | null) => void): Promise<DnsmasqHandle> {
  const [bin = 'dnsmasq', ...args] = argv;
  const fd = openSync(logFile, 'w', 0o640);
  let child;
  try {
    child = spawn(bin, args, { detached: true, stdio: ['ignore', 'ignore', fd] });
  } finally {
    closeSync(fd);
  }
  let exited: { code: number | null; signal: string | null } | undefined;
  let spawnError: Error | undefined;
  child.once('error', (e) => (spawnError = e));
  child.once('exit', (code, signal) => {
    exited = { code, signal };
  });
  const wait = wakeOnChange(dirname(pidFile), child);
  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (spawnError !== undefined) throw new VirtkitError('DNSMASQ_FAILED', `cannot run ${bin}: ${spawnError.message}`, { cause: spawnError });
      if (exited !== undefined) {
        const log = (await readFile(logFile, 'utf8').catch(() => '')).trim();
        throw new VirtkitError('DNSMASQ_FAILED', `dnsmasq exited at start (${exited.signal ?? `exit ${exited.code}`}): ${log || 'no output'}`, {
          details: { argv, exitCode: exited.code },
        });
      }
      if (child.pid !== undefined && (await readPid(pidFile)) === child.pid) break;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new VirtkitError('DNSMASQ_FAILED', `dnsmasq did not write its pid file ${pidFile} within ${START_TIMEOUT_MS / 1000} s`, { details: { argv } });
      }
      await wait.next();
    }
  } finally {
    wait.close();
  }
  child.on('exit', (code, signal) => onExit(code, signal));
  child.unref();
  return { pid: child.pid as number, child };
}

/**
 * Wakes the start's wait as soon as something changes in `dir` (inotify: dnsmasq wrote its pid
 * file) or the child exits, else after POLL_MS (a watch may miss an event, or be unavailable).
 */
function wakeOnChange(dir: string, child: ChildProcess): { next(): Promise<void>; close(): void } {
  let wake: (() => void) | undefined;
  const nudge = (): void => wake?.();
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, nudge);
    watcher.on('error', () => undefined);
  } catch {
    watcher = undefined;
  }
  child.once('exit', nudge);
  return {
    next: () => new Promise<void>((resolve) => {
      const timer = setTimeout(() => { wake = undefined; resolve(); }, POLL_MS);
      wake = () => { clearTimeout(timer); wake = undefined; resolve(); };
    }),
    close: () => { watcher?.close(); child.off('exit', nudge); },
  };
}

/** Stops dnsmasq and waits until it is gone. */
export async function stopDnsmasq(h: DnsmasqHandle, confArg: string): Promise<void> {
  const child = h.child;
  if (child !== undefined) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    // Unref'd while it runs (it outlives the daemon): held again so that its exit is waited for.
    child.ref();
    child.kill('SIGTERM');
    await gone;
    return;
  }
  try {
    process.kill(h.pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (await isOurDnsmasq(h.pid, confArg)) {
    if (Date.now() > deadline) {
      process.kill(h.pid, 'SIGKILL');
      break;
    }
    await sleep(POLL_MS);
  }
}

/** SIGHUP: dnsmasq rereads its hosts files (and keeps its leases). */
export function reloadDnsmasq(h: DnsmasqHandle): void {
  process.kill(h.pid, 'SIGHUP');
}
