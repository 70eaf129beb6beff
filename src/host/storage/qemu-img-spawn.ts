/**
 * How qemu-img.ts starts qemu-img: what every run shares is made once per process, because a
 * linked clone's request waits on this spawn (docs/bench.md, bench/storage, pass of stop 17).
 *
 * - The environment: the process's own with LC_ALL=C, copied from process.env at the first run
 *   (copying process.env costs ~30 us in the daemon's interpreter, on every run before). The daemon
 *   never changes its environment; a process that does is not seen by later runs.
 * - The binary: a bare name is looked up on PATH once, then spawned by its absolute path, which
 *   spares the child the walk of PATH (one failed execve(2) per directory before it). A name not
 *   found there is spawned as given, so that its ENOENT reads as before (QEMU_NOT_FOUND). A found
 *   file that is gone by a later run (moved, uninstalled) is looked up again at once: a spawn that
 *   failed (fork or exec) ran nothing, so trying again is safe.
 * - A quiet run (stdout not read: create) of a binary found before runs in a process started ahead
 *   of time (qemu-img-spare.ts), which spares the daemon a fork on the request's path.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { ExecSpare } from './qemu-img-spare.js';

let runEnv: NodeJS.ProcessEnv | undefined;
const found = new Map<string, string>();
let spare: ExecSpare | undefined;

/** The executable file `name` names on PATH, as execvp(3) would find it; undefined when none or when `name` is a path. */
export function onPath(name: string, path = process.env['PATH'] ?? ''): string | undefined {
  if (name.includes('/')) return undefined;
  for (const dir of path.split(delimiter)) {
    if (!isAbsolute(dir)) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // Not in this directory: the next one.
    }
  }
  return undefined;
}

export interface QemuImgSpawnOptions {
  /** stdin is /dev/null and stderr a pipe; stdout a pipe, or /dev/null ('ignore'). */
  readonly stdout: 'pipe' | 'ignore';
  /** Kills qemu-img (SIGTERM) and emits an AbortError, as spawn()'s option does. */
  readonly signal?: AbortSignal | undefined;
}

/** spawn(binary, args) with the shared environment (see above). */
export function spawnQemuImg(binary: string, args: readonly string[], o: QemuImgSpawnOptions): ChildProcess {
  runEnv ??= { ...process.env, LC_ALL: 'C' };
  const opts: SpawnOptions = { stdio: ['ignore', o.stdout, 'pipe'], env: runEnv, ...(o.signal !== undefined ? { signal: o.signal } : {}) };
  const known = found.get(binary);
  if (o.stdout === 'ignore') {
    const env = runEnv;
    spare ??= new ExecSpare(env, () => onPath('perl', env['PATH']));
    // A spare runs only a binary found before and still there (a failed exec would read as qemu-img's failure).
    if (known !== undefined && statSync(known, { throwIfNoEntry: false }) !== undefined) {
      const child = spare.take(known, args, o.signal);
      if (child !== undefined) return child;
    } else {
      spare.prepare();
    }
  }
  if (known !== undefined) {
    const child = spawn(known, args, opts);
    // No pid: the spawn failed (node reports it as an error on the next tick), nothing ran.
    if (child.pid !== undefined) return child;
    child.on('error', () => undefined);
    found.delete(binary);
  }
  const file = onPath(binary);
  if (file !== undefined) found.set(binary, file);
  return spawn(file ?? binary, args, opts);
}
