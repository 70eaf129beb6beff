/**
 * The smallest QMP client that times what the bench needs: connect (retrying
 * while QEMU creates the socket), greeting + qmp_capabilities, one command,
 * and the socket closing (how the bench judges "QEMU is gone": an exited
 * QEMU may stay a zombie for a while). Kept apart from src/host/qmp on
 * purpose: the baseline must not carry virtkit's own code.
 */
import { connect, type Socket } from 'node:net';
import { now, sleep } from './proc.js';

/** One attempt to connect to a unix socket: the socket, or undefined when it is missing or refuses. */
export function tryConnect(path: string): Promise<Socket | undefined> {
  return new Promise<Socket | undefined>((resolve) => {
    const c = connect(path);
    c.once('connect', () => resolve(c));
    c.once('error', () => resolve(undefined));
  });
}

export class BenchQmp {
  readonly closed: Promise<number>;
  #buf = '';
  #waiters: ((msg: Record<string, unknown>) => boolean)[] = [];

  private constructor(readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve(now())));
    socket.setEncoding('utf8').on('data', (d: string) => {
      this.#buf += d;
      let nl: number;
      while ((nl = this.#buf.indexOf('\n')) >= 0) {
        const line = this.#buf.slice(0, nl).trim();
        this.#buf = this.#buf.slice(nl + 1);
        if (line === '') continue;
        const msg = JSON.parse(line) as Record<string, unknown>;
        this.#waiters = this.#waiters.filter((w) => !w(msg));
      }
    });
    socket.on('error', () => undefined);
  }

  /** Connects (retrying every 1 ms while the socket is missing) and negotiates capabilities. */
  static async open(path: string, timeoutMs = 10_000, gone?: () => boolean): Promise<BenchQmp> {
    const deadline = now() + timeoutMs;
    for (;;) {
      const s = await tryConnect(path);
      if (s) {
        const q = new BenchQmp(s);
        await q.#next((m) => 'QMP' in m);
        await q.command('qmp_capabilities');
        return q;
      }
      if (gone?.()) throw new Error(`QEMU exited before its QMP socket ${path} answered`);
      if (now() > deadline) throw new Error(`QMP socket ${path} did not answer within ${timeoutMs} ms`);
      await sleep(1);
    }
  }

  #next(match: (m: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      this.#waiters.push((m) => {
        if (!match(m)) return false;
        resolve(m);
        return true;
      });
      this.socket.once('close', () => reject(new Error('QMP socket closed')));
    });
  }

  async command(execute: string): Promise<unknown> {
    const reply = this.#next((m) => 'return' in m || 'error' in m);
    this.socket.write(`${JSON.stringify({ execute })}\n`);
    const m = await reply;
    if ('error' in m) throw new Error(`QMP ${execute}: ${JSON.stringify(m['error'])}`);
    return m['return'];
  }

  /** Sends `quit` without waiting for the reply (QEMU may close first). */
  quit(): void {
    this.socket.write('{"execute":"quit"}\n');
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Resolves with the time a marker string first appears in a stream of chunks. */
export class MarkerWatch {
  #text = '';
  #resolve: ((t: number) => void) | undefined;
  readonly seen: Promise<number>;

  constructor(readonly marker: string) {
    this.seen = new Promise((r) => { this.#resolve = r; });
  }

  feed(chunk: Buffer | string): void {
    if (this.#resolve === undefined) return;
    // Keep only a tail: enough to catch a marker split across chunks.
    this.#text = (this.#text + chunk.toString()).slice(-4096);
    if (this.#text.includes(this.marker)) {
      this.#resolve(now());
      this.#resolve = undefined;
    }
  }

  /** The guest's output so far (tail), for error messages. */
  tail(): string {
    return this.#text.slice(-400);
  }
}

/** Waits for a promise with a deadline that names what was awaited. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_r, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}
