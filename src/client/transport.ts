/**
 * JSON over HTTP to the daemon, on its UNIX socket or over TCP/TLS with a
 * bearer token. Error bodies become VirtkitErrors with the daemon's code; a
 * daemon that does not answer becomes DAEMON_UNREACHABLE.
 */
import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { ERROR_CODES, VirtkitError, type ErrorCode } from '../core/errors.js';
import type { Endpoint } from './endpoint.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

const UNREACHABLE = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND']);

export class Transport {
  // Idle sockets are dropped after 4 s, before the daemon's 5 s keep-alive timeout closes them.
  readonly #agent = new Agent({ keepAlive: true, timeout: 4_000 });
  #tlsAgent: Agent | undefined;
  #headers: Record<string, string> | undefined;

  constructor(readonly endpoint: Endpoint) {}

  /** Connection options for http(s).request and for WebSockets. */
  connectOptions(): RequestOptions & { ca?: Buffer } {
    const e = this.endpoint;
    // servername '': node's agent would otherwise ask net.isIP() of the (absent) host name for a
    // TLS server name, and its first IPv6 check compiles a large regex: ~4 ms of every CLI start.
    if (e.kind === 'unix') return { socketPath: e.socket, headers: this.headers(), ...{ servername: '' } };
    return {
      host: e.host, port: e.port, headers: this.headers(),
      ...(e.ca === undefined ? {} : { ca: readFileSync(e.ca) }),
    };
  }

  headers(): Record<string, string> {
    if (this.#headers) return this.#headers;
    const e = this.endpoint;
    let token: string | undefined;
    if (e.kind === 'tcp') {
      token = e.token ?? (e.tokenFile === undefined ? undefined : readFileSync(e.tokenFile, 'utf8').split('\n')[0]?.trim());
      if (token === undefined) {
        throw new VirtkitError('UNAUTHORIZED', `${e.uri} needs a token: set VIRTKIT_TOKEN or VIRTKIT_TOKEN_FILE, or add ?token_file=FILE`);
      }
    }
    this.#headers = token === undefined ? {} : { Authorization: `Bearer ${token}` };
    return this.#headers;
  }

  async request<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const e = this.endpoint;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const tls = e.kind === 'tcp' && e.tls ? await import('node:https') : undefined;
    if (tls) this.#tlsAgent ??= new tls.Agent({ keepAlive: true, timeout: 4_000 });
    const opts: RequestOptions = { ...this.connectOptions(), method, path, agent: this.#tlsAgent ?? this.#agent };
    opts.headers = {
      ...opts.headers, Accept: 'application/json',
      ...(payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) }),
    };
    const send = tls ? tls.request : httpRequest;
    // A kept-alive socket the daemon closed as idle (its keepAliveTimeout, 5 s) just as this request
    // went out fails with ECONNRESET before the daemon read anything: send it once more on a fresh
    // socket, as Node's documentation advises (request.reusedSocket).
    const once = (): Promise<IncomingMessage> => new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(opts, resolve);
      req.on('error', (err: NodeJS.ErrnoException) => reject(Object.assign(err, { reused: req.reusedSocket })));
      req.end(payload);
    });
    let res: IncomingMessage;
    try {
      res = await once().catch((err: NodeJS.ErrnoException & { reused?: boolean }) => {
        if (err.reused === true && err.code === 'ECONNRESET') return once();
        throw err;
      });
    } catch (err) {
      throw this.#connectError(err as NodeJS.ErrnoException);
    }
    const text = await readAll(res);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new VirtkitError('INTERNAL_ERROR', `the daemon answered ${res.statusCode ?? '?'} with something that is not JSON`);
    }
    if ((res.statusCode ?? 500) >= 400) throw toError(parsed, res.statusCode ?? 500);
    return parsed as T;
  }

  #connectError(err: NodeJS.ErrnoException): VirtkitError {
    const e = this.endpoint;
    if (err.code !== undefined && UNREACHABLE.has(err.code)) {
      const where = e.kind === 'unix' ? e.socket : `${e.host}:${e.port}`;
      return new VirtkitError('DAEMON_UNREACHABLE', `cannot reach virtkitd for ${e.uri} at ${where}: ${err.code}`, {
        details: { uri: e.uri, where, errno: err.code }, cause: err,
      });
    }
    return new VirtkitError('IO_ERROR', `talking to virtkitd for ${e.uri}: ${err.message}`, { cause: err });
  }

  close(): void {
    this.#agent.destroy();
    this.#tlsAgent?.destroy();
  }
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

/** The daemon's `{error: {code, message, details}}` as a VirtkitError. */
export function toError(body: unknown, status: number): VirtkitError {
  const err = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  const known = (ERROR_CODES as readonly unknown[]).includes(err?.code);
  const message = typeof err?.message === 'string' ? err.message : `the daemon answered HTTP ${status}`;
  const details = typeof err?.details === 'object' && err.details !== null ? (err.details as Record<string, unknown>) : undefined;
  return new VirtkitError(known ? (err?.code as ErrorCode) : 'INTERNAL_ERROR', message, {
    ...(details === undefined && known ? {} : { details: { ...details, ...(known ? {} : { code: err?.code, status }) } }),
  });
}
