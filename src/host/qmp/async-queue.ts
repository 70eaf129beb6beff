/**
 * A buffer behind an async iterator: `push` from the producer, `for await`
 * on the consumer side, `end` to finish the loop. Items pushed while nobody
 * waits are kept (an event must not be lost between two `next()` calls).
 */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private readonly waiters: ((r: IteratorResult<T>) => void)[] = [];
  private ended = false;

  constructor(private readonly onReturn?: () => void) {}

  push(item: T): void {
    if (this.ended) return;
    const w = this.waiters.shift();
    if (w !== undefined) w({ value: item, done: false });
    else this.items.push(item);
  }

  /** Ends the iteration once the buffered items are consumed. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const w of this.waiters.splice(0)) w({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Called by `break` in a for-await loop: stop buffering. */
  return(): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.end();
    this.onReturn?.();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
