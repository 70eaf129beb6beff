/**
 * Work a process puts off until it has answered no request for a while. spawn() blocks node's event
 * loop for 1-2 ms here (node forks the whole process and waits for the child's exec) and the new
 * process then takes a CPU to start: a process started ahead of time (storage/qemu-img-spare.ts) is
 * better started in a pause than on the path of a request that follows at once. The daemon's API
 * server counts its requests (busyUntil); where nothing counts (tests, the bench's in-process rows)
 * only the pause is waited for.
 */
let inFlight = 0;
let lastActivity = 0;
const queued: { fn: () => void; quietMs: number }[] = [];
let timer: NodeJS.Timeout | undefined;

/** Runs what has waited long enough; waits again for the rest. */
function check(): void {
  timer = undefined;
  if (queued.length === 0 || inFlight > 0) return;
  const quiet = performance.now() - lastActivity;
  const due = queued.filter((q) => q.quietMs <= quiet);
  queued.splice(0, queued.length, ...queued.filter((q) => q.quietMs > quiet));
  for (const q of due) q.fn();
  arm();
}

function arm(): void {
  if (timer !== undefined || queued.length === 0 || inFlight > 0) return;
  const wait = Math.min(...queued.map((q) => q.quietMs)) - (performance.now() - lastActivity);
  timer = setTimeout(check, Math.max(0, wait));
  timer.unref();
}

/**
 * Runs `fn` once no request is in flight and none has started or ended for `quietMs`: on a later
 * turn of the event loop, never during this call.
 */
export function whenIdle(fn: () => void, quietMs = 0): void {
  queued.push({ fn, quietMs });
  arm();
}

/** Counts one request in flight until the function returned is called (calls after the first do nothing). */
export function busyUntil(): () => void {
  inFlight++;
  lastActivity = performance.now();
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    inFlight--;
    lastActivity = performance.now();
    arm();
  };
}
