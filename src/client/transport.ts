/**
 * JSON over HTTP to the daemon, on its UNIX socket or over TCP/TLS with a
 * bearer token. Error bodies become VirtkitErrors with the daemon's code; a
 * daemon that does not answer becomes DAEMON_UNREACHABLE.
 *
 * Connections are kept alive (node:http's agent), unless `connections: 'per-request'`: then each
 * request on a UNIX socket has a connection of its own, spoken with node:net alone
 * (unix-http.ts), and node:http is never loaded; for a short-lived process such as the CLI.
 */
import { readFileSync } from 'node:fs';
import type { Agent, IncomingMessage, RequestOptions } from 'node:http';
import { ERROR_CODES, VirtkitError, type ErrorCode } from '../core/errors.js';
import type { Endpoint } from './endpoint.js';
import { plainRequest } from './unix-http.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

const UNREACHABLE = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND']);

export interface TransportOptions {
  /** 'keep-alive' (the default): node:http's agent. 'per-request': see above (TCP keeps node:http). */
  readonly connections?: 'keep-alive' | 'per-request';
}

export class Transport {
  // Made on the first request: idle sockets are dropped after 4 s, before the daemon's 5 s keep-alive timeout closes them.
  #agent: Agent | undefined;
  #tlsAgent: Agent | undefined;
  #headers: Record<string, string> | undefined;

  constructor(readonly endpoint: Endpoint, readonly opts: TransportOptions = {}) {}

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
    const headers: Record<string, string> = {
      ...this.headers(), Accept: 'application/json', ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }),
    };
    let answer: { status: number; text: string };
    if (e.kind === 'unix' && this.opts.connections === 'per-request') {
      try {
        const a = await plainRequest(e.socket, method, path, headers, payload);
        answer = { status: a.status, text: a.body.toString('utf8') };
      } catch (err) {
        throw this.#connectError(err as NodeJS.ErrnoException);
      }
    } else {
      answer = await this.#viaNodeHttp(method, path, headers, payload);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.text);
    } catch {
      throw new VirtkitError('INTERNAL_ERROR', `the daemon answered ${answer.status} with something that is not JSON`);
    }
    if (answer.status >= 400) throw toError(parsed, answer.status);
    return parsed as T;
  }

  async #viaNodeHttp(method: Method, path: string, headers: Record<string, string>, payload: string | undefined): Promise<{ status: number; text: string }> {
    const e = this.endpoint;
    const http = await import('node:http');
    const tls = e.kind === 'tcp' && e.tls ? await import('node:https') : undefined;
    if (tls) this.#tlsAgent ??= new tls.Agent({ keepAlive: true, timeout: 4_000 });
    else this.#agent ??= new http.Agent({ keepAlive: true, timeout: 4_000 });
    const opts: RequestOptions = { ...this.connectOptions(), method, path, agent: this.#tlsAgent ?? this.#agent };
    opts.headers = {
      ...headers, ...(payload === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(payload)) }),
    };
    const send = tls ? tls.request : http.request;
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
    return { status: res.statusCode ?? 500, text: await readAll(res) };
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
    this.#agent?.destroy();
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

/** The error an HTTP answer of the daemon carries (its JSON body read whole; not JSON: by status). */
export async function responseError(res: IncomingMessage): Promise<VirtkitError> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    body = undefined;
  }
  return toError(body, res.statusCode ?? 500);
}
