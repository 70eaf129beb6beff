/**
 * What process.ts reads from files: a process's start time from procfs (its
 * identity together with the pid) and QEMU's own output from the domain log.
 * The procfs root is a parameter so tests can point it at a fake tree.
 */
import { open, readFile } from 'node:fs/promises';

/**
 * Field 22 of /proc/PID/stat (start time in clock ticks since boot), or
 * undefined when there is no such process or it is a zombie (it has exited;
 * only its parent has not collected it yet).
 */
export async function procStartTicks(pid: number, procRoot = '/proc'): Promise<string | undefined> {
  let stat: string;
  try {
    stat = await readFile(`${procRoot}/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return parseStartTicks(stat);
}

/** Parses a /proc/PID/stat line; the command name (field 2) may hold spaces and parentheses. */
export function parseStartTicks(stat: string): string | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = stat.slice(close + 2).trim().split(/\s+/);
  // fields[0] is field 3 (state), so field 22 is fields[19].
  const state = fields[0];
  const ticks = fields[19];
  if (state === undefined || ticks === undefined || state === 'Z' || state === 'X') return undefined;
  return ticks;
}

/** Whether `pid` is still the process that started at `startTicks` (and not a zombie). */
export async function isSameProcess(pid: number, startTicks: string, procRoot = '/proc'): Promise<boolean> {
  const now = await procStartTicks(pid, procRoot);
  return now !== undefined && now === startTicks;
}

const TAIL_BYTES = 64 * 1024;
const TAIL_LINES = 12;

/**
 * QEMU's output since `offset` (where this run's header ended): the last few
 * non-empty lines, which is where QEMU says why it gave up.
 */
export async function readLogSince(logFile: string, offset: number): Promise<string> {
  let fh;
  try {
    fh = await open(logFile, 'r');
  } catch {
    return '';
  }
  try {
    const size = (await fh.stat()).size;
    const from = Math.max(offset, size - TAIL_BYTES);
    const buf = Buffer.alloc(Math.max(0, size - from));
    await fh.read(buf, 0, buf.length, from);
    const lines = buf.toString('utf8').split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
    return lines.slice(-TAIL_LINES).join('\n');
  } finally {
    await fh.close();
  }
}
