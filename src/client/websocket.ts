/**
 * The daemon's WebSocket endpoints (loaded only by the commands that use
 * them): the event stream and the serial console.
 */
import WebSocket from 'ws';
import { VirtkitError } from '../core/errors.js';
import type { Transport } from './transport.js';
import type { CloneRequest, CloneResult, LifecycleEvent, ObjectEvent, ObjectEventKind, VolumeInfo } from './types.js';
import { toError } from './transport.js';

export interface EventStream {
  on(event: 'event', listener: (e: LifecycleEvent) => void): void;
  /** Resolves when the stream ends, with the daemon's reason. */
  readonly closed: Promise<string>;
  close(): void;
}

/** Pool, secret or snapshot events (GET /v1/events?kind=...). */
export interface ObjectEventStream {
  on(event: 'event', listener: (e: ObjectEvent) => void): void;
  readonly closed: Promise<string>;
  close(): void;
}

export interface ConsoleConnection {
  write(data: Buffer | string): void;
  onData(listener: (data: Buffer) => void): void;
  /** Resolves when the session ends: the reason (taken over, domain stopped, closed). */
  readonly closed: Promise<string>;
  close(): void;
}

/**
 * `attach` adds listeners at once, before the upgrade: a server that sends and closes right after
 * it (a volume job failing at once) would otherwise deliver its message before `await open()`
 * returned and anyone listened.
 */
function open(t: Transport, path: string, attach?: (ws: WebSocket) => void): Promise<WebSocket> {
  const e = t.endpoint;
  const url = e.kind === 'unix'
    ? `ws+unix://${e.socket}:${path}`
    : `${e.tls ? 'wss' : 'ws'}://${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}${path}`;
  const o = t.connectOptions();
  const ws = new WebSocket(url, { headers: t.headers(), ...(o.ca === undefined ? {} : { ca: o.ca }) });
  attach?.(ws);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = undefined;
        }
        reject(toError(body, res.statusCode ?? 500));
      });
    });
    ws.once('error', (err) => reject(new VirtkitError('DAEMON_UNREACHABLE', `WebSocket ${path}: ${err.message}`, { cause: err })));
  });
}

const closedPromise = (ws: WebSocket) =>
  new Promise<string>((resolve) => ws.once('close', (_code, reason) => resolve(reason.toString('utf8'))));

export async function openEvents(t: Transport, domain: string | undefined): Promise<EventStream> {
  const ws = await open(t, `/v1/events${domain === undefined ? '' : `?domain=${encodeURIComponent(domain)}`}`);
  const closed = closedPromise(ws);
  return {
    on: (_event, listener) => ws.on('message', (data) => listener(JSON.parse(String(data)) as LifecycleEvent)),
    closed,
    close: () => ws.close(1000),
  };
}

export async function openObjectEvents(t: Transport, kind: ObjectEventKind, filter: { domain?: string; network?: string; pool?: string; secret?: string }): Promise<ObjectEventStream> {
  const q = new URLSearchParams({ kind });
  for (const [k, v] of Object.entries(filter)) if (v !== undefined) q.set(k, v);
  const ws = await open(t, `/v1/events?${q.toString()}`);
  const closed = closedPromise(ws);
  return {
    on: (_event, listener) => ws.on('message', (data) => listener(JSON.parse(String(data)) as ObjectEvent)),
    closed,
    close: () => ws.close(1000),
  };
}

export async function openConsole(t: Transport, ref: string, force: boolean): Promise<ConsoleConnection> {
  const ws = await open(t, `/v1/domains/${encodeURIComponent(ref)}/console${force ? '?force=true' : ''}`);
  const closed = closedPromise(ws);
  return {
    write: (data) => ws.send(typeof data === 'string' ? Buffer.from(data) : data),
    onData: (listener) => ws.on('message', (data: Buffer) => listener(data)),
    closed,
    close: () => ws.close(1000),
  };
}

export interface VolumeImportRequest {
  readonly file: string;
  readonly format: string;
  readonly name?: string;
  readonly targetFormat?: 'qcow2' | 'raw';
}

type ImportMessage =
  | { type: 'progress'; percent: number }
  | { type: 'done'; volume: VolumeInfo }
  | { type: 'error'; error: { code: string; message: string; details?: unknown } };

/** vol-import over /v1/pools/{id}/volume-import: progress messages, then the volume or the error. */
export async function openImport(t: Transport, pool: string, req: VolumeImportRequest, onProgress: (percent: number) => void, wait?: number): Promise<VolumeInfo> {
  return openVolumeJob(t, `/v1/pools/${encodeURIComponent(pool)}/volume-import`, { ...req }, onProgress, wait, 'import');
}

/**
 * A volume job with progress over its WebSocket (vol-import, a full vol-clone, vol-create-from):
 * `fields` (the REST body's) in the query, then progress messages, then the volume or the error.
 */
export async function openVolumeJob(t: Transport, path: string, fields: Readonly<Record<string, string | boolean | undefined>>, onProgress: (percent: number) => void,
  wait: number | undefined, what: string): Promise<VolumeInfo> {
  const entries = Object.entries({ ...fields, ...(wait === undefined ? {} : { wait: String(wait) }) }).filter(([, v]) => v !== undefined).map(([k, v]): [string, string] => [k, String(v)]);
  let settled = false;
  let resolveJob: (v: VolumeInfo) => void = () => undefined;
  let rejectJob: (e: Error) => void = () => undefined;
  const job = new Promise<VolumeInfo>((resolve, reject) => {
    resolveJob = resolve;
    rejectJob = reject;
  });
  job.catch(() => undefined); // when the upgrade itself fails, open() throws that error instead
  await open(t, `${path}?${new URLSearchParams(entries).toString()}`, (ws) => {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as ImportMessage;
      if (m.type === 'progress') onProgress(m.percent);
      else {
        settled = true;
        if (m.type === 'done') resolveJob(m.volume);
        else rejectJob(toError(m, 500));
      }
    });
    ws.once('close', (_code, reason) => {
      if (!settled) rejectJob(new VirtkitError('DAEMON_UNREACHABLE', `the ${what} stream ended before the ${what} did: ${reason.toString('utf8') || 'connection closed'}`));
    });
  });
  return job;
}

/** One disk copy's progress in a clone: its start (0), then whole percentages. */
export interface CloneProgress { readonly target: string; readonly file: string; readonly percent: number }

type CloneMessage =
  | ({ type: 'progress' } & CloneProgress)
  | { type: 'done'; result: CloneResult }
  | { type: 'error'; error: { code: string; message: string; details?: unknown } };

/** virtkit clone over /v1/domains/{id}/clone: the request in the query, progress messages, then the result or the error. */
export async function openClone(t: Transport, ref: string, req: CloneRequest, onProgress: (p: CloneProgress) => void, wait?: number): Promise<CloneResult> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(req)) {
    if (Array.isArray(v)) for (const item of v as unknown[]) q.append(k, String(item));
    else if (v !== undefined) q.set(k, String(v));
  }
  if (wait !== undefined) q.set('wait', String(wait));
  let settled = false;
  let resolveJob: (r: CloneResult) => void = () => undefined;
  let rejectJob: (e: Error) => void = () => undefined;
  const job = new Promise<CloneResult>((resolve, reject) => {
    resolveJob = resolve;
    rejectJob = reject;
  });
  job.catch(() => undefined); // when the upgrade itself fails, open() throws that error instead
  await open(t, `/v1/domains/${encodeURIComponent(ref)}/clone?${q.toString()}`, (ws) => {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as CloneMessage;
      if (m.type === 'progress') onProgress({ target: m.target, file: m.file, percent: m.percent });
      else {
        settled = true;
        if (m.type === 'done') resolveJob(m.result);
        else rejectJob(toError(m, 500));
      }
    });
    ws.once('close', (_code, reason) => {
      if (!settled) rejectJob(new VirtkitError('DAEMON_UNREACHABLE', `the clone stream ended before the clone did: ${reason.toString('utf8') || 'connection closed'}`));
    });
  });
  return job;
}
