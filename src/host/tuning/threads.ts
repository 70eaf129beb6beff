/**
 * QEMU thread affinity and scheduling with util-linux: `taskset -p -c LIST TID` and
 * `chrt -f|-r|-b|-i -p PRIO TID` (sched_setaffinity / sched_setscheduler of one thread), run with
 * an argument array. A thread that ended meanwhile (QEMU's worker threads come and go) is skipped;
 * any other failure is HOST_TUNING_FAILED quoting the tool.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCpuList } from '../cpu-list.js';
import { VirtkitError } from '../../core/errors.js';
import { formatCpuset } from '../../core/placement/cpuset.js';
import type { SchedPolicy } from '../../core/tuning/plan.js';

/** Runs a tool; resolves with its stdout. Tests may pass their own. */
export type TuneRunner = (bin: string, args: readonly string[]) => Promise<string>;

const GONE_RE = /No such process/i;

export const runTuneTool: TuneRunner = (bin, args) => new Promise((resolve, reject) => {
  execFile(bin, [...args], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }, (err, stdout, stderr) => {
    if (!err) {
      resolve(stdout);
      return;
    }
    const said = stderr.trim() || stdout.trim() || err.message;
    const command = [bin, ...args].join(' ');
    reject(new VirtkitError('HOST_TUNING_FAILED', `${command} failed: ${said}`, { details: { command, stderr: said }, cause: err }));
  });
});

async function perThread(tids: readonly number[], run: (tid: number) => Promise<unknown>): Promise<void> {
  for (const tid of tids) {
    try {
      await run(tid);
    } catch (e) {
      const stderr = (e as VirtkitError).details?.['stderr'];
      if (typeof stderr === 'string' && GONE_RE.test(stderr)) continue;
      throw e;
    }
  }
}

export async function setAffinity(tids: readonly number[], cpus: readonly number[], run: TuneRunner = runTuneTool): Promise<void> {
  const list = formatCpuset(cpus);
  await perThread(tids, (tid) => run('taskset', ['-p', '-c', list, String(tid)]));
}

const CHRT_FLAG: Record<SchedPolicy, string> = { fifo: '-f', rr: '-r', batch: '-b', idle: '-i' };

export async function setScheduler(tids: readonly number[], policy: SchedPolicy, priority: number, run: TuneRunner = runTuneTool): Promise<void> {
  await perThread(tids, (tid) => run('chrt', [CHRT_FLAG[policy], '-p', String(priority), String(tid)]));
}

/** A thread's allowed CPUs (Cpus_allowed_list of /proc/PID/task/TID/status); undefined when it is gone. */
export async function allowedCpus(pid: number, tid: number, procRoot = '/proc'): Promise<number[] | undefined> {
  const text = await readFile(join(procRoot, String(pid), 'task', String(tid), 'status'), 'utf8').catch(() => undefined);
  const line = text?.split('\n').find((l) => l.startsWith('Cpus_allowed_list:'));
  return line === undefined ? undefined : parseCpuList(line.slice(line.indexOf(':') + 1).trim());
}

/** Every thread id of a process (/proc/PID/task). */
export async function processThreads(pid: number, procRoot = '/proc'): Promise<number[]> {
  return (await readdir(join(procRoot, String(pid), 'task'))).map(Number).filter((n) => Number.isInteger(n)).sort((a, b) => a - b);
}
