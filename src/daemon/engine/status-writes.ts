/**
 * A domain's status writes, in order and coalesced. Writes of one domain never overtake each
 * other (the file on disk ends with the newest state), and while one is in flight the requests
 * that arrive meanwhile share one write, queued behind it, which takes the domain's state when it
 * starts: the newest, so every request's state (or a newer one) is on disk when it resolves, and
 * no one waits for versions that are already out of date. Three quick changes during a slow write
 * cost two writes, not three.
 */

/** What the chain lives on: the domain record's `statusWrites` (the daemon waits for it at stop). */
export interface StatusChain {
  statusWrites: Promise<void>;
}

export class StatusWrites<K extends StatusChain> {
  /** The write of each domain that is queued and has not started: later requests join it. */
  readonly #queued = new WeakMap<K, Promise<void>>();

  /**
   * Runs `write` once the domain's previous write is done, or joins the write already queued
   * (whose `write` reads the state when it starts, so it carries this request's state too).
   * Rejects when the write this request shares fails.
   */
  write(key: K, write: () => Promise<void>): Promise<void> {
    const queued = this.#queued.get(key);
    if (queued !== undefined) return queued;
    const next = key.statusWrites.then(() => {
      // Started: it reads the state now, so a request from here on needs a write of its own.
      this.#queued.delete(key);
      return write();
    });
    this.#queued.set(key, next);
    key.statusWrites = next.catch(() => undefined);
    return next;
  }
}
