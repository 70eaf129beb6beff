/**
 * One serial console session per domain. A second client gets
 * OPERATION_IN_PROGRESS unless it asks to `force`, which ends the first
 * session (its client is told why) and takes the console over.
 */
import type { Duplex } from 'node:stream';
import { VirtkitError } from '../../core/errors.js';
import type { ConsoleSession } from './actions.js';

class Session implements ConsoleSession {
  #stream: Duplex | undefined;
  #closed = false;
  readonly #listeners: ((reason: string) => void)[] = [];

  constructor(private readonly onClose: (s: Session) => void) {}

  get closed(): boolean {
    return this.#closed;
  }

  get stream(): Duplex {
    if (!this.#stream) throw new VirtkitError('INTERNAL_ERROR', 'console session used before it was opened');
    return this.#stream;
  }

  attach(stream: Duplex): void {
    this.#stream = stream;
    stream.once('close', () => this.close());
  }

  onTakenOver(listener: (reason: string) => void): void {
    this.#listeners.push(listener);
  }

  end(reason: string): void {
    if (this.#closed) return;
    for (const l of this.#listeners) l(reason);
    this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stream?.destroy();
    this.onClose(this);
  }
}

export class ConsoleManager {
  readonly #sessions = new Map<string, Session>();

  async open(key: string, domain: string, force: boolean, opener: () => Promise<Duplex>): Promise<ConsoleSession> {
    const current = this.#sessions.get(key);
    if (current && !force) {
      throw new VirtkitError(
        'OPERATION_IN_PROGRESS',
        `the console of domain '${domain}' is in use by another session; use force to take it over`,
        { details: { domain } },
      );
    }
    current?.end('another session took the console over');
    const session = new Session((s) => {
      if (this.#sessions.get(key) === s) this.#sessions.delete(key);
    });
    this.#sessions.set(key, session);
    let stream: Duplex;
    try {
      stream = await opener();
    } catch (e) {
      session.close();
      throw e;
    }
    if (session.closed) {
      stream.destroy();
      throw new VirtkitError('OPERATION_IN_PROGRESS', `another session took the console of domain '${domain}' over`);
    }
    session.attach(stream);
    return session;
  }

  /** Ends the session of `key`, if any, telling its client why. */
  close(key: string, reason: string): void {
    this.#sessions.get(key)?.end(reason);
  }

  closeAll(reason: string): void {
    for (const s of [...this.#sessions.values()]) s.end(reason);
  }
}
