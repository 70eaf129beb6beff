/**
 * The API's HTTP edge on node:http: a UNIX socket (always) and optionally a
 * TCP listener (bearer token required, TLS when given a certificate). It
 * parses, authorizes, validates (through the router) and maps errors to HTTP
 * statuses; nothing else. The route table and its schema library load on
 * the first request, so that the daemon is ready sooner and idles smaller.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { chmod, unlink } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { VirtkitError } from '../../core/errors.js';
import { busyUntil } from '../../host/idle.js';
import type { Logger } from '../engine/context.js';
import type { Engine } from '../engine/engine.js';
import { errorResponse } from './http-status.js';
import type * as RoutesModule from './routes.js';
import type * as WsModule from './ws.js';
import { handleVolumeContent, matchVolumeContent } from './volume-content-routes.js';
import { isWebSocketPath } from './ws-paths.js';

export interface TcpOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
}

export interface ServerOptions {
  readonly engine: Engine;
  readonly socket: string;
  /** File mode of the socket (0600: only the owner may connect). */
  readonly socketMode: number;
  readonly tcp?: TcpOptions;
  readonly log: Logger;
}

const BODY_LIMIT = 4 * 1024 * 1024;

let routesModule: Promise<typeof RoutesModule> | undefined;
let wsModule: Promise<typeof WsModule> | undefined;

export class ApiServer {
  readonly #servers: Server[] = [];
  readonly #closers: (() => void)[] = [];
  #tcpAddress: { host: string; port: number } | undefined;

  constructor(private readonly opts: ServerOptions) {}

  get tcpAddress(): { host: string; port: number } | undefined {
    return this.#tcpAddress;
  }

  async listen(): Promise<void> {
    const unix = createServer((req, res) => void this.#handle(req, res, false));
    // No limit on the time to receive a whole request over the (owner-only) socket: a transfer lease's
    // request stays open while the client copies, and a streaming upload's body takes what it takes.
    unix.requestTimeout = 0;
    unix.on('upgrade', (req: IncomingMessage, sock: Duplex, head: Buffer) => void this.#upgrade(req, sock, head, false));
    await unlink(this.opts.socket).catch(() => undefined);
    // The socket is created by bind(2) inside listen(): a tight umask keeps it private from the first instant.
    const umask = process.umask(0o177);
    try {
      await listenOn(unix, { path: this.opts.socket });
    } finally {
      process.umask(umask);
    }
    await chmod(this.opts.socket, this.opts.socketMode);
    this.#servers.push(unix);

    const tcp = this.opts.tcp;
    if (tcp) {
      const handler = (req: IncomingMessage, res: ServerResponse) => void this.#handle(req, res, true);
      const server = tcp.tls
        ? (await import('node:https')).createServer({ cert: tcp.tls.cert, key: tcp.tls.key }, handler)
        : createServer(handler);
      server.on('upgrade', (req: IncomingMessage, sock: Duplex, head: Buffer) => void this.#upgrade(req, sock, head, true));
      await listenOn(server, { host: tcp.host, port: tcp.port });
      const addr = server.address();
      if (addr !== null && typeof addr === 'object') this.#tcpAddress = { host: addr.address, port: addr.port };
      this.#servers.push(server);
    }
  }

  /** Stops accepting, ends WebSockets, lets requests in flight finish (up to `graceMs`). */
  async close(graceMs = 2000): Promise<void> {
    for (const c of this.#closers.splice(0)) c();
    await Promise.all(this.#servers.map((s) => new Promise<void>((resolve) => {
      const timer = setTimeout(() => s.closeAllConnections(), graceMs);
      s.close(() => {
        clearTimeout(timer);
        resolve();
      });
      s.closeIdleConnections();
    })));
    this.#servers.length = 0;
    await unlink(this.opts.socket).catch(() => undefined);
  }

  #authorize(req: IncomingMessage, tcp: boolean): void {
    const token = this.opts.tcp?.token;
    if (!tcp || token === undefined) return;
    const given = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const digest = (s: string) => createHash('sha256').update(s).digest();
    if (given === undefined || !timingSafeEqual(digest(given), digest(token))) {
      throw new VirtkitError('UNAUTHORIZED', 'missing or wrong bearer token: send "Authorization: Bearer TOKEN" ' +
        '(the token is in the file given to virtkitd --token-file)');
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse, tcp: boolean): Promise<void> {
    // Work put off until no request is in flight (host/idle.ts) waits for this one's answer.
    res.once('close', busyUntil());
    try {
      this.#authorize(req, tcp);
      const url = new URL(req.url ?? '/', 'http://virtkitd');
      const method = req.method ?? 'GET';
      let out: { status: number; body: unknown } | undefined;
      const content = matchVolumeContent(url.pathname);
      if (content) {
        // Bytes, not JSON: the body streams to the volume (or the volume to the response).
        out = await handleVolumeContent(req, res, content, url.searchParams, this.opts.engine, tcp);
        if (!out) return;
      } else if (url.pathname === '/v1/openapi.json' && method === 'GET') {
        out = { status: 200, body: (await import('./openapi.js')).openApiDocument() };
      } else if (isWebSocketPath(url.pathname)) {
        throw new VirtkitError('INVALID_ARGUMENT', `${url.pathname} is a WebSocket endpoint: connect with a WebSocket client`);
      } else {
        routesModule ??= import('./routes.js');
        const { router } = await routesModule;
        const { route, params } = router.match(method, url.pathname);
        out = await route.run(params, url.searchParams, await readBody(req), this.opts.engine);
      }
      send(res, out.status, out.body);
    } catch (e) {
      const r = errorResponse(e);
      if (r.status >= 500) this.opts.log.error(`${req.method ?? '?'} ${req.url ?? '?'}: ${r.error.message}`);
      send(res, r.status, r.body);
    }
  }

  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, tcp: boolean): Promise<void> {
    try {
      this.#authorize(req, tcp);
      wsModule ??= import('./ws.js');
      const { handleUpgrade } = await wsModule;
      const close = await handleUpgrade(req, socket, head, this.opts.engine);
      this.#closers.push(close);
      socket.once('close', () => {
        const i = this.#closers.indexOf(close);
        if (i >= 0) this.#closers.splice(i, 1);
      });
    } catch (e) {
      const r = errorResponse(e);
      const body = JSON.stringify(r.body);
      socket.end(`HTTP/1.1 ${r.status} ${r.error.code}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
  }
}

function listenOn(server: Server, where: { path: string } | { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(where, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Past the limit the rest is drained, not kept, so that the error can still be answered.
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= BODY_LIMIT) chunks.push(c);
    });
    req.on('end', () => {
      if (size > BODY_LIMIT) {
        reject(new VirtkitError('INVALID_ARGUMENT', `request body is larger than ${BODY_LIMIT / 1048576} MiB`));
      } else {
        resolve(Buffer.concat(chunks).toString('utf8'));
      }
    });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
