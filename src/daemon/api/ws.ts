/**
 * WebSocket endpoints (loaded on the first upgrade):
 *   /v1/events                 one JSON event per text message: LifecycleEvent, or ObjectEvent with
 *                              ?kind=pool|secret|snapshot (events-ws.ts; ?domain=, ?pool=, ?secret= filter)
 *   /v1/domains/{id}/console   the guest's serial console, raw bytes both ways (?force=true
 *                              takes it over from another session)
 *   /v1/pools/{id}/volume-import  an import (volume-import-ws.ts): progress messages, then the volume or the error
 *   /v1/domains/{id}/clone     virtkit clone (clone-ws.ts): each disk copy's progress, then the result or the error
 * Errors found before the upgrade (unknown domain, console busy) are
 * answered as ordinary HTTP errors. When the server ends a session it closes
 * with code 4000 and says why (taken over, domain stopped, daemon exiting).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { VirtkitError } from '../../core/errors.js';
import type { Engine } from '../engine/engine.js';
import { parseQuery } from './query.js';
import { eventFeed } from './events-ws.js';
import { CONSOLE_QUERY, WS_CONSOLE, WS_DOMAIN_CLONE, WS_EVENTS, WS_VOLUME_CLONE, WS_VOLUME_CREATE_FROM, WS_VOLUME_IMPORT, matchWebSocketPath } from './ws-paths.js';
import { cloneRequest, createFromRequest } from './volume-copy-ws.js';
import { importRequest, runImport } from './volume-import-ws.js';
import { cloneWsRequest, runClone } from './clone-ws.js';

export const CLOSE_ENDED_BY_SERVER = 4000;

const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });

function accept(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<WebSocket> {
  return new Promise((resolve) => wss.handleUpgrade(req, socket, head, resolve));
}

const toBuffer = (d: RawData): Buffer => (Array.isArray(d) ? Buffer.concat(d) : Buffer.from(d as ArrayBuffer));
/** A close reason must fit in 123 bytes. */
const reasonText = (s: string) => (Buffer.byteLength(s) > 120 ? `${s.slice(0, 100)}...` : s);

/** Upgrades the connection; resolves with a function that ends the session (daemon shutdown). */
export async function handleUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  engine: Engine,
): Promise<() => void> {
  const url = new URL(req.url ?? '/', 'http://virtkitd');
  const match = matchWebSocketPath(url.pathname);
  if (req.method !== 'GET' || !match) throw new VirtkitError('NOT_FOUND', `no WebSocket endpoint ${url.pathname}`);

  if (match.path === WS_EVENTS) {
    const feed = await eventFeed(engine, url.searchParams);
    const ws = await accept(req, socket, head);
    const unsubscribe = feed((e) => ws.send(JSON.stringify(e)));
    ws.on('close', unsubscribe);
    ws.on('message', () => ws.close(1003, 'this stream only sends'));
    return () => ws.close(1001, 'virtkitd is shutting down');
  }

  if (match.path === WS_CONSOLE) {
    const q = parseQuery(CONSOLE_QUERY, url.searchParams);
    const session = await engine.dispatch({ kind: 'console', name: match.params['id'] ?? '', force: q.force ?? false });
    const ws = await accept(req, socket, head);
    const stream = session.stream;
    session.onTakenOver((why) => ws.close(CLOSE_ENDED_BY_SERVER, reasonText(why)));
    stream.on('data', (chunk: Buffer) => ws.send(chunk));
    stream.on('close', () => ws.close(1000, 'console closed'));
    stream.on('error', () => ws.close(1011, 'console stream failed'));
    ws.on('message', (data) => stream.write(toBuffer(data)));
    ws.on('close', () => session.close());
    return () => ws.close(1001, 'virtkitd is shutting down');
  }
  if (match.path === WS_VOLUME_IMPORT || match.path === WS_VOLUME_CLONE || match.path === WS_VOLUME_CREATE_FROM) {
    const pool = match.params['id'] ?? '';
    const action = match.path === WS_VOLUME_IMPORT ? await importRequest(pool, url.searchParams)
      : match.path === WS_VOLUME_CLONE ? await cloneRequest(pool, match.params['vol'] ?? '', url.searchParams) : await createFromRequest(pool, url.searchParams);
    const ws = await accept(req, socket, head);
    void runImport(ws, action, engine);
    return () => ws.close(1001, 'virtkitd is shutting down');
  }
  if (match.path === WS_DOMAIN_CLONE) {
    const call = await cloneWsRequest(match.params['id'] ?? '', url.searchParams);
    const ws = await accept(req, socket, head);
    void runClone(ws, call, engine);
    return () => ws.close(1001, 'virtkitd is shutting down');
  }
  throw new VirtkitError('NOT_FOUND', `no WebSocket endpoint ${url.pathname}`);
}
