/**
 * Work a process puts off until it answers no request. spawn() blocks node's event loop for 1-2 ms
 * here (node forks the whole process and waits for the child's exec): a process started ahead of
 * time (storage/qemu-img-spare.ts) is better started when no answer waits behind it. The daemon's
 * API server counts its requests in flight (busyUntil); where nothing counts (tests, the bench's
 * in-process rows) the work runs on the next turn of the event loop.
 */
let inFlight = 0;
const queued: (() => void)[] = [];
let pending: NodeJS.Immediate | undefined;

function flushSoon(): void {
  if (pending !== undefined || queued.length === 0) return;
  pending = setImmediate(() => {
    pending = undefined;
    if (inFlight > 0) return;
    for (const fn of queued.splice(0)) fn();
  });
  pending.unref();
}

/** Runs `fn` once no request is in flight: on a later turn of the event loop, never during this call. */
export function whenIdle(fn: () => void): void {
  queued.push(fn);
  flushSoon();
}

/** Counts one request in flight until the function returned is called (calls after the first do nothing). */
export function busyUntil(): () => void {
  inFlight++;
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    inFlight--;
    if (inFlight === 0) flushSoon();
  };
}
