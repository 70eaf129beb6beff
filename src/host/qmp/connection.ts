/**
 * One QMP monitor connection. `connectQmp(path)` connects (retrying until
 * QEMU has created the socket), reads the greeting, leaves capabilities
 * negotiation mode, and returns a connection on which commands can be sent
 * concurrently: replies are matched by id, each command has a timeout.
 *
 * Events arrive as 'event' (EventEmitter), through `events()` (an async
 * iterator that buffers from the moment it is created) and `waitForEvent`.
 * When the socket closes, for whatever reason, 'disconnected' fires once,
 * the `disconnected` promise resolves, every waiting command fails with
 * QMP_DISCONNECTED and event iterators end. That is how callers learn that
 * QEMU is gone: here PID 1 reaps orphans lazily, so the process table lies.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { VirtkitError } from '../../core/errors.js';
import { QmpDecoder, encodeCommand } from '../../core/qemu/qmp/codec.js';
import type { ArgsOptional, QmpArgs, QmpCommandName, QmpResult } from '../../core/qemu/qmp/commands.js';
import { qmpDisconnected } from '../../core/qemu/qmp/errors.js';
import type { QmpEvent, QmpEventName } from '../../core/qemu/qmp/events.js';
import type { QemuVersionInfo, QmpEventMessage, QmpGreeting, QmpMessage } from '../../core/qemu/qmp/messages.js';
import { AsyncQueue } from './async-queue.js';
import { PendingCommands } from './pending.js';
import { connectUnixSocket } from './socket.js';
import type { ConnectSocketOptions } from './socket.js';

export interface QmpConnectOptions extends ConnectSocketOptions {
  /** Default time limit of each command (default 30 s; 0: none). `execute(..., {timeoutMs})` overrides it. */
  readonly commandTimeoutMs?: number;
}

export interface ExecuteOptions {
  /** 0: wait for ever. */
  readonly timeoutMs?: number;
}

export interface QmpDisconnect {
  /** closed: QEMU closed it (exited, or quit); closed-by-us: close(); protocol-error: QEMU sent non-QMP. */
  readonly reason: 'closed' | 'closed-by-us' | 'protocol-error' | 'socket-error';
  readonly detail: string;
}

interface ConnectionEvents {
  event: [QmpEventMessage];
  disconnected: [QmpDisconnect];
}

type ExecuteRest<C extends QmpCommandName> = ArgsOptional<C> extends true
  ? [args?: QmpArgs<C>, opts?: ExecuteOptions]
  : [args: QmpArgs<C>, opts?: ExecuteOptions];

export class QmpConnection extends EventEmitter<ConnectionEvents> {
  private readonly decoder = new QmpDecoder();
  private readonly pending = new PendingCommands();
  private readonly iterators = new Set<AsyncQueue<QmpEventMessage>>();
  private greetingMsg: QmpGreeting | undefined;
  private onGreeting: ((g: QmpGreeting) => void) | undefined;
  private ended: QmpDisconnect | undefined;
  private socketError: Error | undefined;
  private resolveDisconnected!: (d: QmpDisconnect) => void; // assigned in the constructor's Promise executor
  private readonly socketClosed: Promise<void>;
  /** Resolves once, when the connection is gone (QEMU exited, close(), protocol error). */
  readonly disconnected: Promise<QmpDisconnect>;

  /** Use connectQmp() or openQmp(), which also negotiate capabilities. */
  constructor(private readonly stream: Duplex, private readonly defaultTimeoutMs = 30_000) {
    super();
    this.disconnected = new Promise((resolve) => { this.resolveDisconnected = resolve; });
    this.socketClosed = new Promise((resolve) => stream.once('close', () => resolve()));
    stream.on('data', (chunk: Buffer | string) => {
      for (const msg of this.decoder.push(chunk)) this.handle(msg);
    });
    stream.on('error', (err) => { this.socketError = err; });
    stream.once('close', () => {
      const err = this.socketError;
      // A reset is QEMU dying with data in flight (SIGKILL): gone, like a clean close.
      const code = (err as { code?: unknown } | undefined)?.code;
      this.finish(err === undefined || code === 'ECONNRESET' || code === 'EPIPE'
        ? { reason: 'closed', detail: err === undefined ? 'QEMU closed the monitor socket' : `QEMU closed the monitor socket (${err.message})` }
        : { reason: 'socket-error', detail: err.message });
    });
  }

  /** QEMU's version, from the greeting. */
  get version(): QemuVersionInfo {
    if (this.greetingMsg === undefined) throw new VirtkitError('INTERNAL_ERROR', 'QMP greeting not received yet');
    return this.greetingMsg.version;
  }

  get isConnected(): boolean {
    return this.ended === undefined;
  }

  private handle(msg: QmpMessage): void {
    if (this.ended !== undefined) return;
    switch (msg.kind) {
      case 'greeting':
        if (this.greetingMsg !== undefined) return this.protocolError('a second greeting');
        this.greetingMsg = msg;
        this.onGreeting?.(msg);
        return;
      case 'return':
      case 'error':
        // A reply nobody waits for (no id: QEMU could not parse a line) is dropped.
        this.pending.settle(msg);
        return;
      case 'event':
        this.emit('event', msg);
        for (const q of this.iterators) q.push(msg);
        return;
      case 'invalid':
        return this.protocolError(`${msg.reason}: ${msg.line}`);
    }
  }

  private protocolError(detail: string): void {
    this.finish({ reason: 'protocol-error', detail: `QEMU sent something that is not QMP (${detail})` });
    this.stream.destroy();
  }

  private finish(d: QmpDisconnect): void {
    if (this.ended !== undefined) return;
    this.ended = d;
    // QEMU may close the socket before its reply to `quit` gets out: the closing is the answer.
    this.pending.failAll((command) => (command === 'quit' && d.reason === 'closed' ? undefined : qmpDisconnected(d.detail, command)));
    for (const q of this.iterators) q.end();
    this.iterators.clear();
    this.resolveDisconnected(d);
    this.emit('disconnected', d);
  }

  /** Waits for the greeting, then leaves negotiation mode. */
  async handshake(timeoutMs: number): Promise<QmpGreeting> {
    const greeting = await new Promise<QmpGreeting>((resolve, reject) => {
      if (this.greetingMsg !== undefined) return resolve(this.greetingMsg);
      const timer = setTimeout(() => reject(new VirtkitError('QMP_TIMEOUT', `QEMU sent no QMP greeting within ${timeoutMs} ms`, { details: { timeoutMs } })), timeoutMs);
      this.onGreeting = (g) => { clearTimeout(timer); resolve(g); };
      void this.disconnected.then((d) => { clearTimeout(timer); reject(qmpDisconnected(d.detail)); });
    });
    this.onGreeting = undefined;
    await this.execute('qmp_capabilities', {}, { timeoutMs });
    return greeting;
  }

  /** Sends a typed command; resolves with its return value. */
  execute<C extends QmpCommandName>(command: C, ...rest: ExecuteRest<C>): Promise<QmpResult<C>> {
    const [args, opts] = rest;
    return this.executeRaw(command, args, opts) as Promise<QmpResult<C>>;
  }

  /** Sends any command, untyped: for commands not (yet) in QmpCommands. */
  executeRaw(command: string, args?: Readonly<Record<string, unknown>>, opts: ExecuteOptions = {}): Promise<unknown> {
    if (this.ended !== undefined) return Promise.reject(qmpDisconnected(this.ended.detail, command));
    const t = opts.timeoutMs ?? this.defaultTimeoutMs;
    const { id, reply } = this.pending.add(command, t > 0 ? t : undefined);
    this.stream.write(encodeCommand(id, command, args));
    return reply;
  }

  /** Events from now until the connection closes (or the loop breaks). */
  events(): AsyncIterableIterator<QmpEventMessage> {
    const q: AsyncQueue<QmpEventMessage> = new AsyncQueue(() => this.iterators.delete(q));
    if (this.ended !== undefined) q.end();
    else this.iterators.add(q);
    return q;
  }

  /**
   * The next event `name` (matching `match`, if given). Call it before the
   * command that causes the event, or the event may come and go first.
   */
  waitForEvent<N extends QmpEventName>(name: N, opts: { timeoutMs?: number; match?: (ev: QmpEvent<N>) => boolean } = {}): Promise<QmpEvent<N>> {
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    return new Promise((resolve, reject) => {
      if (this.ended !== undefined) return reject(qmpDisconnected(this.ended.detail));
      const cleanup = () => {
        clearTimeout(timer);
        this.off('event', onEvent);
        this.off('disconnected', onGone);
      };
      const onEvent = (ev: QmpEventMessage) => {
        if (ev.event !== name) return;
        const typed = ev as QmpEvent<N>; // QEMU's data for a known event name: trusted, not checked
        if (opts.match !== undefined && !opts.match(typed)) return;
        cleanup();
        resolve(typed);
      };
      const onGone = (d: QmpDisconnect) => {
        cleanup();
        reject(qmpDisconnected(`${d.detail} while waiting for the event ${name}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new VirtkitError('QMP_TIMEOUT', `QEMU sent no ${name} event within ${timeoutMs} ms`, { details: { event: name, timeoutMs } }));
      }, timeoutMs > 0 ? timeoutMs : 2 ** 31 - 1);
      this.on('event', onEvent);
      this.on('disconnected', onGone);
    });
  }

  /** Closes the connection (QEMU keeps running); resolves once the socket is closed. */
  async close(): Promise<void> {
    this.finish({ reason: 'closed-by-us', detail: 'the connection was closed by virtkit' });
    this.stream.destroy();
    await this.socketClosed;
  }
}

/** Speaks QMP over an already connected stream: greeting, then qmp_capabilities. */
export async function openQmp(stream: Duplex, opts: { timeoutMs?: number; commandTimeoutMs?: number } = {}): Promise<QmpConnection> {
  const conn = new QmpConnection(stream, opts.commandTimeoutMs ?? 30_000);
  try {
    await conn.handshake(opts.timeoutMs ?? 10_000);
  } catch (err) {
    await conn.close();
    throw err;
  }
  return conn;
}

/** Connects to QEMU's QMP socket at `path` (retrying until it appears) and negotiates. */
export async function connectQmp(path: string, opts: QmpConnectOptions = {}): Promise<QmpConnection> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const started = Date.now();
  const socket = await connectUnixSocket(path, opts);
  return openQmp(socket, {
    timeoutMs: Math.max(timeoutMs - (Date.now() - started), 1_000),
    ...(opts.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: opts.commandTimeoutMs }),
  });
}
