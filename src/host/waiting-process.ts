/**
 * The parts shared by the pools of processes started ahead of time (net/ip-warm.ts, net/nft-warm.ts,
 * storage/qemu-img-spare.ts): a process that waits on its stdin without keeping node alive, taking a
 * still-living one from a pool, and holding node alive again while one is used.
 */
import { spawn, type ChildProcess } from 'node:child_process';

type Refable = { ref?: () => void; unref?: () => void } | null;

/**
 * Starts `cmd args` waiting on its stdin; it keeps nothing alive: when this process ends, its stdin closes and it exits.
 * `stdout: 'ignore'` gives it /dev/null as stdout (and node no pipe to read).
 */
export function startWaiting(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, stdout: 'pipe' | 'ignore' = 'pipe'): ChildProcess {
  const child = spawn(cmd, args, { stdio: ['pipe', stdout, 'pipe'], env });
  child.on('error', () => undefined);
  child.stdin?.on('error', () => undefined);
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as Refable)?.unref?.();
  return child;
}

/** The first process of `ready` that is still running (those that are not are dropped), or undefined. */
export function takeLive(ready: ChildProcess[]): ChildProcess | undefined {
  while (ready.length > 0) {
    const c = ready.shift();
    if (c !== undefined && c.exitCode === null && c.signalCode === null && c.pid !== undefined) return c;
  }
  return undefined;
}

/** While `child` is used, it and its output keep node alive again. */
export function refUsed(child: ChildProcess): void {
  child.ref();
  for (const stream of [child.stdout, child.stderr]) (stream as unknown as Refable)?.ref?.();
}
