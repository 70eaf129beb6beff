/**
 * One daemon per instance: the pidfile is created exclusively (O_EXCL); a
 * pidfile whose process is gone is stale and replaced. (Two daemons starting
 * in the same millisecond over a stale pidfile could still race; the client
 * starts at most one, and the loser of any race fails to start, loudly.)
 */
import { open, readFile, unlink } from 'node:fs/promises';
import { VirtkitError } from '../core/errors.js';
import { errno } from './store/atomic.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errno(e) === 'EPERM';
  }
}

async function readPid(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  const pid = Number(text?.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/** Creates the pidfile; resolves with its remover. Throws when a live daemon holds it. */
/** Pidfiles this process holds: a pidfile naming our own pid is ours only if we wrote it in this life. */
const held = new Set<string>();

export async function acquirePidfile(path: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = await open(path, 'wx', 0o644);
      try {
        await fd.writeFile(`${process.pid}\n`);
      } finally {
        await fd.close();
      }
      held.add(path);
      return async () => {
        held.delete(path);
        if ((await readPid(path)) === process.pid) await unlink(path).catch(() => undefined);
      };
    } catch (e) {
      if (errno(e) !== 'EEXIST') throw e;
    }
    const pid = await readPid(path);
    // (In a container the daemon is often pid 1 every time: our own pid in a stale file is not us.)
    const ours = pid === process.pid && held.has(path);
    if (pid !== undefined && (ours || (pid !== process.pid && alive(pid)))) {
      throw new VirtkitError('OPERATION_INVALID', `virtkitd already runs for this instance (pid ${pid}, see ${path})`, {
        details: { pid, pidfile: path },
      });
    }
    // Stale: remove it only if it still names the same dead process.
    if ((await readPid(path)) === pid) await unlink(path).catch(() => undefined);
  }
  throw new VirtkitError('IO_ERROR', `cannot create the pidfile ${path}: another daemon keeps racing for it`);
}
