/**
 * vol-upload and vol-download's local fast path: on the daemon's own host (its UNIX socket), the
 * client takes a transfer lease on the volume (POST .../content, the daemon's
 * api/volume-lease-routes.ts), opens the volume's file itself, with its own credentials, copies
 * between it and the local file (local-copy.ts), fsyncs, and ends the lease. Each function answers
 * undefined where the fast path does not apply, before any byte of the volume was written: the
 * daemon has no lease for it (TCP, not a plain file of a dir or fs pool, an older daemon), or this
 * process cannot open the file (EACCES, ...) or sees another file at its path (another mount
 * namespace): the caller then streams. Errors the stream would answer too (no such volume, a bad
 * range, the pool busy) are thrown as they are.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { VirtkitError } from '../core/errors.js';
import { copyRange, CopyStopped } from './local-copy.js';
import { responseError, toError, type Transport } from './transport.js';
import type { VolumeInfo } from './types.js';

interface Grant {
  readonly path: string;
  readonly dev: string;
  readonly ino: string;
  readonly range: { readonly offset: number; readonly length: number };
}

interface Lease {
  readonly grant: Grant;
  /** Sends the outcome, ends the request; the daemon's last word (the volume, or its error). */
  end(outcome: { ok: true } | { ok: false; reason: string; unused?: boolean }): Promise<VolumeInfo>;
}

/** Codes of a lease refused where a stream may still work: not local, or a daemon without leases. */
const NO_LEASE = new Set(['UNSUPPORTED_OPERATION', 'METHOD_NOT_ALLOWED', 'NOT_FOUND']);

/** Reads `res` line by line (NDJSON). */
function lines(res: IncomingMessage): () => Promise<unknown> {
  let text = '';
  const queue: string[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  res.setEncoding('utf8');
  res.on('data', (c: string) => {
    text += c;
    let i: number;
    while ((i = text.indexOf('\n')) >= 0) {
      queue.push(text.slice(0, i));
      text = text.slice(i + 1);
    }
    wake?.();
  });
  const done = (): void => {
    ended = true;
    wake?.();
  };
  res.on('end', done);
  res.on('close', done);
  res.on('error', done);
  return async () => {
    while (queue.length === 0 && !ended) await new Promise<void>((r) => { wake = r; });
    const line = queue.shift();
    if (line === undefined) throw new VirtkitError('DAEMON_UNREACHABLE', 'virtkitd closed the transfer lease before it answered');
    return JSON.parse(line) as unknown;
  };
}

async function openLease(t: Transport, path: string, query: URLSearchParams): Promise<Lease | undefined> {
  const base = t.connectOptions();
  // A connection of its own (no agent): the lease lives exactly as long as it.
  const req = httpRequest({
    ...base, agent: false, method: 'POST', path: `${path}?${query.toString()}`,
    headers: { ...base.headers, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', Accept: 'application/x-ndjson' },
  });
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    // `on`, not `once`: a connection that fails later (the daemon gone mid-copy) must not throw here;
    // the answer's lines then end early and `end` says so.
    req.on('error', (err) => reject(new VirtkitError('DAEMON_UNREACHABLE', `talking to virtkitd for a transfer lease: ${err.message}`, { cause: err })));
    req.flushHeaders();
  });
  if ((res.statusCode ?? 500) >= 400) {
    const e = await responseError(res);
    req.destroy();
    if (NO_LEASE.has(e.code)) return undefined;
    throw e;
  }
  const next = lines(res);
  const first = await next() as { lease?: Grant };
  if (first.lease === undefined) throw toError(first, 500);
  return {
    grant: first.lease,
    end: async (outcome) => {
      req.end(JSON.stringify(outcome));
      const last = await next() as { volume?: VolumeInfo };
      req.destroy();
      if (last.volume === undefined) throw toError(last, 500);
      return last.volume;
    },
  };
}

/** Opens the volume's file with this process's rights; undefined where it cannot, or where its path names another file here. */
async function openVolumeFile(g: Grant, flags: 'r' | 'r+'): Promise<FileHandle | undefined> {
  const fh = await open(g.path, flags).catch(() => undefined);
  if (!fh) return undefined;
  const s = await fh.stat({ bigint: true }).catch(() => undefined);
  if (s && String(s.dev) === g.dev && String(s.ino) === g.ino) return fh;
  await fh.close().catch(() => undefined);
  return undefined;
}

const contentPath = (pool: string, vol: string) => `/v1/pools/${encodeURIComponent(pool)}/volumes/${encodeURIComponent(vol)}/content`;

export interface LocalOptions {
  readonly offset: number;
  readonly length: number;
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

/**
 * Uploads `length` bytes of the open `source` (from its byte 0) into the volume at `offset`; the
 * volume as the daemon then sees it, or undefined (nothing written: stream instead).
 */
export async function localUpload(t: Transport, pool: string, vol: string, source: FileHandle, o: LocalOptions): Promise<VolumeInfo | undefined> {
  const lease = await openLease(t, contentPath(pool, vol), new URLSearchParams({ direction: 'upload', offset: String(o.offset), length: String(o.length) }));
  if (!lease) return undefined;
  const g = lease.grant;
  const target = await openVolumeFile(g, 'r+');
  if (!target) {
    await lease.end({ ok: false, unused: true, reason: 'the client cannot open the volume\'s file; it streams instead' }).catch(() => undefined);
    return undefined;
  }
  try {
    await copyRange({ from: source, fromOffset: 0, to: target, toOffset: g.range.offset }, g.range.length, (done) => o.onProgress?.(done, g.range.length));
  } catch (e) {
    const written = e instanceof CopyStopped ? e.written : 0;
    await lease.end({ ok: false, reason: (e as Error).message }).catch(() => undefined);
    throw new VirtkitError('IO_ERROR', `upload to volume '${vol}' of pool '${pool}' stopped after ${written} of ${g.range.length} bytes: ` +
      `${(e as Error).message}; the bytes written so far stay in place (the rest of the volume is unchanged)`,
    { details: { path: g.path, written, expected: g.range.length }, cause: e });
  } finally {
    await target.close().catch(() => undefined);
  }
  return lease.end({ ok: true });
}

interface Target {
  /** Where aligned blocks go: opened with O_DIRECT where the file system has it, else `buffered` itself. */
  readonly to: FileHandle;
  readonly buffered: FileHandle;
  readonly direct: boolean;
  close(): Promise<void>;
}

/**
 * Creates or truncates `file` (0644) and opens it a second time with O_DIRECT: a download's bytes
 * then go to the disk without 256 MiB of new page cache to allocate, which under memory churn cost
 * more than the copy (docs/bench.md, stop 17). Where O_DIRECT is refused (tmpfs), buffered only.
 */
async function openDirect(file: string): Promise<Target | undefined> {
  const buffered = await open(file, 'w', 0o644).catch(() => undefined);
  if (!buffered) return undefined;
  const to = await open(file, constants.O_WRONLY | constants.O_DIRECT).catch(() => undefined);
  return {
    to: to ?? buffered, buffered, direct: to !== undefined,
    close: async () => {
      await to?.close().catch(() => undefined);
      await buffered.close().catch(() => undefined);
    },
  };
}

/**
 * Writes the volume's range into `file` (created or truncated once the volume's file is open) and
 * fsyncs it; the bytes, or undefined (the local file untouched or as the stream will redo it: stream instead).
 */
export async function localDownload(t: Transport, pool: string, vol: string, file: string, o: LocalOptions): Promise<number | undefined> {
  const q = new URLSearchParams({ direction: 'download', offset: String(o.offset) });
  if (o.length) q.set('length', String(o.length));
  const lease = await openLease(t, contentPath(pool, vol), q);
  if (!lease) return undefined;
  const g = lease.grant;
  const source = await openVolumeFile(g, 'r');
  const target = source && await openDirect(file);
  if (!source || !target) {
    await source?.close().catch(() => undefined);
    await lease.end({ ok: false, unused: true, reason: 'the client cannot open the volume\'s file or its own; it streams instead' }).catch(() => undefined);
    return undefined;
  }
  try {
    // The file gets its length first: writes that extend it each wait for the journal while a background
    // fdatasync commits (ext4), and stalled downloads for seconds under load (docs/bench.md, stop 17).
    await target.buffered.truncate(g.range.length);
    await copyRange({ from: source, fromOffset: g.range.offset, to: target.to, toOffset: 0, ...(target.direct ? { buffered: target.buffered } : {}) },
      g.range.length, (done) => o.onProgress?.(done, g.range.length));
  } catch (e) {
    // As a stream cut short leaves it: the bytes received, no more.
    await target.buffered.truncate(e instanceof CopyStopped ? e.written : 0).catch(() => undefined);
    await lease.end({ ok: false, reason: (e as Error).message }).catch(() => undefined);
    throw new VirtkitError('IO_ERROR', `download of volume '${vol}' of pool '${pool}' into ${file} failed: ${(e as Error).message}`, { cause: e });
  } finally {
    await source.close().catch(() => undefined);
    await target.close();
  }
  await lease.end({ ok: true });
  return g.range.length;
}
