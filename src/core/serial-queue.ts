/**
 * A promise-chain mutex: each task runs once every task queued before it has settled, whether
 * that one resolved or threw. A task's own result (or error) goes to its caller only; the queue
 * goes on. Pure: no timers, no I/O.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every task queued before it; resolves or rejects as `fn` does. */
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
