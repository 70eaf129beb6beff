/**
 * A client of the QEMU guest agent (qemu-ga) in a running guest, over the unix socket of its
 * channel (<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/>): QEMU
 * listens there and relays the bytes to the guest's virtio-serial port. One command at a time;
 * a guest-sync-delimited handshake (src/core/qemu/qga/codec.ts) before the first command on a
 * connection and after anything that may have left an answer behind (a timeout, a command that
 * answers nothing, the guest side of the port closing and opening: qemu-ga restarted).
 *
 * Whether the guest has opened its end is the driver's knowledge (query-chardev's frontend-open,
 * then VSERPORT_CHANGE): QEMU accepts our connection and our bytes even when no agent listens,
 * so without it a command to a guest without qemu-ga could only time out. Errors:
 * AGENT_UNAVAILABLE (no agent has the port open, or the socket is gone), AGENT_UNRESPONSIVE
 * (the port is open but the sync or the command was not answered in time), AGENT_COMMAND_FAILED
 * (the agent answered with an error).
 */
import { createConnection, type Socket } from 'node:net';
import { randomInt } from 'node:crypto';
import { VirtkitError } from '../../core/errors.js';
import { QgaDecoder, encodeQgaCommand, encodeQgaSync, type QgaAnswer } from '../../core/qemu/qga/codec.js';

export const AGENT_SYNC_TIMEOUT_MS = 5_000;
/** libvirt's VIR_DOMAIN_QEMU_AGENT_COMMAND_DEFAULT, for a guest that is slow under TCG. */
export const AGENT_COMMAND_TIMEOUT_MS = 30_000;

export interface GuestAgentOptions {
  readonly path: string;
  /** Resolves whether the guest has its end of the port open (qemu-ga runs). */
  readonly guestOpen: () => Promise<boolean>;
  readonly syncTimeoutMs?: number;
}

export interface AgentCommandOptions {
  readonly timeoutMs?: number;
  /** A command that answers nothing on success (guest-shutdown): resolves once written. */
  readonly noReply?: boolean;
}

interface Waiter {
  readonly resolve: (a: QgaAnswer) => void;
  readonly reject: (e: VirtkitError) => void;
}

export class GuestAgent {
  readonly #o: GuestAgentOptions;
  readonly #decoder = new QgaDecoder();
  #sock: Socket | undefined;
  #synced = false;
  #waiter: Waiter | undefined;
  /** Answers no one waited for yet (the write's callback may come after the answer). */
  #answers: QgaAnswer[] = [];
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(o: GuestAgentOptions) {
    this.#o = o;
  }

  /** Runs one command (after those queued before it); resolves its `return` value. */
  execute(execute: string, args?: Readonly<Record<string, unknown>>, opts: AgentCommandOptions = {}): Promise<unknown> {
    const run = this.#queue.then(() => this.#run(execute, args, opts));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** The guest side of the port closed or opened: whatever was in flight is stale; sync again. */
  portChanged(): void {
    this.#synced = false;
  }

  close(): void {
    this.#closed = true;
    this.#sock?.destroy();
    this.#sock = undefined;
  }

  async #run(execute: string, args: Readonly<Record<string, unknown>> | undefined, opts: AgentCommandOptions): Promise<unknown> {
    if (this.#closed) throw unavailable('the domain is shutting down');
    if (!(await this.#o.guestOpen())) {
      throw unavailable('the guest agent is not connected: no qemu-ga has the org.qemu.guest_agent.0 port open in the guest (not installed, not started yet, or stopped)');
    }
    const sock = await this.#connect();
    if (!this.#synced) await this.#sync(sock);
    const timeoutMs = opts.timeoutMs ?? AGENT_COMMAND_TIMEOUT_MS;
    if (opts.noReply === true) {
      // An error answer may still come; the next use syncs past it.
      this.#synced = false;
      await write(sock, encodeQgaCommand(execute, args));
      return undefined;
    }
    const answer = this.#next(timeoutMs, `'${execute}'`);
    answer.catch(() => undefined); // a failed write rejects first
    await write(sock, encodeQgaCommand(execute, args)).catch((e: unknown) => {
      this.#waiter?.reject(e as VirtkitError); // stops its timer
      throw e;
    });
    const a = await answer;
    if (a.kind === 'return') return a.value;
    if (a.kind === 'error') {
      throw new VirtkitError('AGENT_COMMAND_FAILED', `the guest agent refused '${execute}': ${a.desc} (${a.class})`, {
        details: { command: execute, class: a.class, desc: a.desc },
      });
    }
    this.#synced = false;
    throw new VirtkitError('AGENT_UNRESPONSIVE', `the guest agent answered '${execute}' with something that is not an answer: ${a.line}`);
  }

  async #sync(sock: Socket): Promise<void> {
    const id = randomInt(1, 2 ** 31);
    const timeoutMs = this.#o.syncTimeoutMs ?? AGENT_SYNC_TIMEOUT_MS;
    const deadline = this.#deadline(timeoutMs, 'guest-sync-delimited');
    this.#decoder.awaitSentinel();
    this.#answers = [];
    try {
      await write(sock, encodeQgaSync(id));
      // Answers to older syncs (another id) may come first.
      for (;;) {
        const a = await Promise.race([this.#next(undefined, 'guest-sync-delimited'), deadline.promise]);
        if (a.kind === 'return' && a.value === id) break;
      }
    } finally {
      deadline.cancel();
    }
    this.#synced = true;
  }

  #deadline(ms: number, what: string): { promise: Promise<never>; cancel: () => void } {
    let timer: NodeJS.Timeout | undefined;
    const promise = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.#synced = false;
        this.#waiter = undefined;
        reject(unresponsive(what, ms));
      }, ms);
    });
    promise.catch(() => undefined);
    return { promise, cancel: () => clearTimeout(timer) };
  }

  /** The next answer, or AGENT_UNRESPONSIVE after `timeoutMs` (none: the caller races its own deadline). */
  #next(timeoutMs: number | undefined, what: string): Promise<QgaAnswer> {
    const queued = this.#answers.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise<QgaAnswer>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => { clearTimeout(timer); this.#waiter = undefined; };
      this.#waiter = { resolve: (a) => { done(); resolve(a); }, reject: (e) => { done(); reject(e); } };
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          done();
          this.#synced = false; // its answer may still come: the next sync drops it
          reject(unresponsive(what, timeoutMs));
        }, timeoutMs);
      }
    });
  }

  #connect(): Promise<Socket> {
    // A socket the peer ended is not reused ('close' may not have come yet).
    if (this.#sock !== undefined && this.#sock.writable) return Promise.resolve(this.#sock);
    this.#sock?.destroy();
    this.#sock = undefined;
    return new Promise<Socket>((resolve, reject) => {
      const sock = createConnection(this.#o.path);
      const fail = (e: Error): void => reject(unavailable(`cannot connect to the agent's socket ${this.#o.path}: ${e.message}`));
      sock.once('error', fail);
      sock.once('connect', () => {
        sock.off('error', fail);
        this.#sock = sock;
        this.#synced = false;
        sock.on('data', (chunk: Buffer) => {
          for (const a of this.#decoder.push(chunk)) {
            if (this.#waiter !== undefined) this.#waiter.resolve(a);
            else this.#answers.push(a);
          }
        });
        sock.on('error', () => undefined); // 'close' follows
        const gone = (): void => {
          if (this.#sock !== sock) return;
          this.#sock = undefined;
          this.#synced = false;
          this.#waiter?.reject(unavailable('the connection to the guest agent closed (QEMU is gone)'));
        };
        sock.on('end', () => { sock.destroy(); gone(); });
        sock.on('close', gone);
        resolve(sock);
      });
    });
  }
}

function write(sock: Socket, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    sock.write(data, (e) => (e ? reject(unavailable(`cannot write to the guest agent: ${e.message}`)) : resolve()));
  });
}

function unavailable(why: string): VirtkitError {
  return new VirtkitError('AGENT_UNAVAILABLE', `guest agent unavailable: ${why}`);
}

function unresponsive(what: string, ms: number): VirtkitError {
  return new VirtkitError('AGENT_UNRESPONSIVE', `the guest agent did not answer ${what} within ${ms} ms; it may be busy, ` +
    'stopped or frozen (a paused guest answers nothing); try again, or check qemu-ga in the guest', { details: { command: what, timeoutMs: ms } });
}
