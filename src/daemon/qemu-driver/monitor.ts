/**
 * The little the driver needs from a QMP connection, behind one interface:
 * run a command, hear events in order, know when the connection closed (for
 * the driver, "QEMU is gone"). `connectMonitor` adapts the project's QMP
 * client (src/host/qmp).
 */
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { VirtkitError } from '../../core/errors.js';

export type QmpEventListener = (event: string, data: Readonly<Record<string, unknown>>) => void;

export interface Monitor {
  execute(command: string, args?: Readonly<Record<string, unknown>>): Promise<unknown>;
  onEvent(listener: QmpEventListener): void;
  /** Resolves when the connection is closed (by QEMU exiting, or by close()). */
  readonly closed: Promise<void>;
  close(): void;
}

export type MonitorConnector = (socketPath: string) => Promise<Monitor>;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  command: string;
}

/**
 * A QMP connection: greeting, qmp_capabilities, then commands answered in
 * order (QMP answers in the order it was asked, events interleaved).
 */
class LineMonitor implements Monitor {
  readonly closed: Promise<void>;
  readonly #pending: Pending[] = [];
  readonly #listeners: QmpEventListener[] = [];
  #buf = '';
  #greeting: ((ok: boolean) => void) | undefined;
  #isClosed = false;

  constructor(private readonly sock: Socket, greeting: (ok: boolean) => void) {
    this.#greeting = greeting;
    this.closed = new Promise((resolve) => {
      sock.on('close', () => {
        this.#isClosed = true;
        this.#greeting?.(false);
        for (const p of this.#pending.splice(0)) {
          p.reject(new VirtkitError('QMP_DISCONNECTED', `QEMU closed its monitor during '${p.command}'`));
        }
        resolve();
      });
    });
    sock.on('error', () => undefined); // 'close' follows
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => this.#onData(chunk));
  }

  #onData(chunk: string): void {
    this.#buf += chunk;
    let nl: number;
    while ((nl = this.#buf.indexOf('\n')) >= 0) {
      const line = this.#buf.slice(0, nl).trim();
      this.#buf = this.#buf.slice(nl + 1);
      if (line !== '') this.#onMessage(JSON.parse(line) as Record<string, unknown>);
    }
  }

  #onMessage(msg: Record<string, unknown>): void {
    if ('QMP' in msg) {
      this.#greeting?.(true);
      this.#greeting = undefined;
    } else if (typeof msg['event'] === 'string') {
      const data = (msg['data'] ?? {}) as Record<string, unknown>;
      for (const l of this.#listeners) l(msg['event'], data);
    } else if ('return' in msg) {
      this.#pending.shift()?.resolve(msg['return']);
    } else if ('error' in msg) {
      const p = this.#pending.shift();
      const err = msg['error'] as { class?: string; desc?: string };
      p?.reject(new VirtkitError('QMP_COMMAND_FAILED', `QEMU refused '${p.command}': ${err.desc ?? 'unknown error'}`, {
        details: { command: p.command, class: err.class },
      }));
    }
  }

  execute(command: string, args?: Readonly<Record<string, unknown>>): Promise<unknown> {
    if (this.#isClosed) return Promise.reject(new VirtkitError('QMP_DISCONNECTED', `QEMU's monitor is closed; cannot run '${command}'`));
    return new Promise((resolve, reject) => {
      this.#pending.push({ resolve, reject, command });
      this.sock.write(`${JSON.stringify(args === undefined ? { execute: command } : { execute: command, arguments: args })}\n`);
    });
  }

  onEvent(listener: QmpEventListener): void {
    this.#listeners.push(listener);
  }

  close(): void {
    this.sock.destroy();
  }
}

/** Connects and negotiates; rejects with the socket error code (ENOENT, ECONNREFUSED) so callers can retry. */
export const connectMonitor: MonitorConnector = async (socketPath) => {
  const sock = createConnection(socketPath);
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', () => { sock.off('error', reject); resolve(); });
    sock.once('error', reject);
  });
  let mon: LineMonitor | undefined;
  const greeted = new Promise<boolean>((resolve) => { mon = new LineMonitor(sock, resolve); });
  if (mon === undefined || !(await greeted)) {
    sock.destroy();
    throw new VirtkitError('QMP_DISCONNECTED', `QEMU closed ${socketPath} before greeting`);
  }
  await mon.execute('qmp_capabilities');
  return mon;
};
