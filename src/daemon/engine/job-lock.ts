/**
 * One state-changing job at a time per object (a domain, a pool: `noun`
 * names it in errors). A second job fails at once
 * with OPERATION_IN_PROGRESS, or, when the caller asks for `wait` ms, queues
 * (first come, first served) and fails with OPERATION_TIMEOUT when the wait
 * runs out. Queries never take the lock.
 */
import { VirtkitError } from '../../core/errors.js';

export interface JobHolder {
  readonly job: string;
  readonly since: number;
}

interface Waiter {
  job: string;
  grant: (release: () => void) => void;
}

export class JobLock {
  #holder: JobHolder | undefined;
  readonly #queue: Waiter[] = [];

  constructor(
    readonly key: string,
    private readonly now: () => number = Date.now,
    private readonly noun = 'domain',
  ) {}

  get holder(): JobHolder | undefined {
    return this.#holder;
  }

  get idle(): boolean {
    return this.#holder === undefined && this.#queue.length === 0;
  }

  /** Resolves with a release function; call it exactly once when the job ends. */
  acquire(job: string, wait = 0): Promise<() => void> {
    if (this.#holder === undefined) return Promise.resolve(this.#take(job));
    const held = this.#holder;
    if (wait <= 0) {
      return Promise.reject(new VirtkitError(
        'OPERATION_IN_PROGRESS',
        `cannot ${job} ${this.noun} '${this.key}': job '${held.job}' is running on it; ` +
          'try again when it finishes, or ask to wait for it',
        { details: { [this.noun]: this.key, job: held.job, since: new Date(held.since).toISOString() } },
      ));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        job,
        grant: (release) => {
          clearTimeout(timer);
          resolve(release);
        },
      };
      const timer = setTimeout(() => {
        const i = this.#queue.indexOf(waiter);
        if (i >= 0) this.#queue.splice(i, 1);
        const now = this.#holder;
        reject(new VirtkitError(
          'OPERATION_TIMEOUT',
          `cannot ${job} ${this.noun} '${this.key}': waited ${wait} ms for job '${now?.job ?? held.job}' to finish`,
          { details: { [this.noun]: this.key, job: now?.job ?? held.job, waitedMs: wait } },
        ));
      }, wait);
      this.#queue.push(waiter);
    });
  }

  #take(job: string): () => void {
    const holder: JobHolder = { job, since: this.now() };
    this.#holder = holder;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holder = undefined;
      const next = this.#queue.shift();
      if (next) next.grant(this.#take(next.job));
    };
  }
}

/** Locks by key (the object's name), created on demand and dropped when idle. */
export class JobLocks {
  readonly #locks = new Map<string, JobLock>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly noun = 'domain',
  ) {}

  holder(key: string): JobHolder | undefined {
    return this.#locks.get(key)?.holder;
  }

  async run<T>(key: string, job: string, wait: number, fn: () => Promise<T>): Promise<T> {
    let lock = this.#locks.get(key);
    if (!lock) {
      lock = new JobLock(key, this.now, this.noun);
      this.#locks.set(key, lock);
    }
    const release = await lock.acquire(job, wait);
    try {
      return await fn();
    } finally {
      release();
      if (lock.idle) this.#locks.delete(key);
    }
  }
}
