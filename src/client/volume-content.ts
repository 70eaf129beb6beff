/**
 * vol-upload and vol-download through the API: a file (or any stream) sent
 * as the body of PUT .../content, a volume range received from GET
 * .../content into a file. Both stream (nothing is held in memory whole),
 * report progress as bytes move, and succeed only once the bytes are on disk
 * at the far end: the daemon fsyncs an upload before it answers, and a
 * download is fsync'ed here before the promise resolves. On the daemon's
 * host they first try the local fast path (volume-lease.ts), which copies
 * the file itself and fsyncs it, and stream where it does not apply.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { VirtkitError } from '../core/errors.js';
import { responseError, type Transport } from './transport.js';
import type { VolumeInfo } from './types.js';

export interface TransferOptions {
  /** Byte of the volume's file to start at (default 0). */
  readonly offset?: number;
  /** At most this many bytes (default 0: the whole file, or to the end of the volume). */
  readonly length?: number;
  /** Called as bytes move: done so far, and the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Zero blocks stay holes: in the volume (upload) or the local file (download); virsh's --sparse. Always streams. */
  readonly sparse?: boolean;
  /**
   * Stream the bytes through the API even where the local fast path applies (a client on the daemon's
   * host, a plain file volume of a dir or fs pool: volume-lease.ts); the CLI's --stream.
   */
  readonly stream?: boolean;
}

/** Whether to try the local fast path first: over the UNIX socket, unless told to stream; --sparse streams. */
const tryLocal = (t: Transport, o: TransferOptions): boolean => t.endpoint.kind === 'unix' && o.stream !== true && o.sparse !== true;

const CHUNK = 1 << 20;
const SYNC_EVERY = 32 << 20;
const contentPath = (pool: string, vol: string) => `/v1/pools/${encodeURIComponent(pool)}/volumes/${encodeURIComponent(vol)}/content`;

/** Counts `stream`'s bytes for onProgress with a 'data' listener beside its pipe, not a Transform in it (a stream hop less per chunk). */
function count(stream: Readable, total: number, onProgress: (done: number, total: number) => void): void {
  let done = 0;
  stream.on('data', (c: Buffer) => {
    done += c.length;
    onProgress(done, total);
  });
}

async function send(t: Transport, method: 'PUT' | 'GET', path: string, headers: Record<string, string>):
  Promise<{ req: ReturnType<typeof httpRequest>; res: Promise<IncomingMessage> }> {
  const e = t.endpoint;
  const https = e.kind === 'tcp' && e.tls ? await import('node:https') : undefined;
  const base = t.connectOptions();
  const opts: RequestOptions = { ...base, method, path, headers: { ...base.headers, ...headers } };
  let req!: ReturnType<typeof httpRequest>;
  const res = new Promise<IncomingMessage>((resolve, reject) => {
    req = (https ? https.request : httpRequest)(opts, resolve);
    req.on('error', (err) => reject(new VirtkitError('IO_ERROR', `talking to virtkitd for ${e.uri}: ${err.message}`, { cause: err })));
  });
  return { req, res };
}

/** Sends `length` bytes of `source` to the volume at `offset`; the volume as the daemon then sees it. */
export async function uploadStream(t: Transport, pool: string, vol: string, source: Readable, length: number,
  o: TransferOptions = {}): Promise<VolumeInfo> {
  const params = new URLSearchParams();
  if (o.offset) params.set('offset', String(o.offset));
  if (o.sparse === true) params.set('sparse', 'true');
  const q = params.size === 0 ? '' : `?${params.toString()}`;
  const { req, res } = await send(t, 'PUT', `${contentPath(pool, vol)}${q}`, {
    'Content-Type': 'application/octet-stream', 'Content-Length': String(length), Accept: 'application/json',
  });
  // The daemon may answer (a refusal) before it has read the body: the answer wins over a failed send.
  if (o.onProgress) count(source, length, o.onProgress);
  const sent = pipeline(source, req).then(() => undefined, (e: unknown) => e);
  const answer = await Promise.race([res, sent.then((e) => {
    if (e !== undefined) {
      req.destroy();
      throw new VirtkitError('IO_ERROR', `upload to volume '${vol}' of pool '${pool}' failed: ${(e as Error).message}`, { cause: e });
    }
    return res;
  })]);
  if ((answer.statusCode ?? 500) >= 400) {
    source.destroy();
    throw await responseError(answer);
  }
  const chunks: Buffer[] = [];
  for await (const c of answer) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as VolumeInfo;
}

/** Uploads `file` (its first `length` bytes, if given) to the volume at `offset`. */
export async function uploadFile(t: Transport, pool: string, vol: string, file: string, o: TransferOptions = {}): Promise<VolumeInfo> {
  const size = (await stat(file).catch((e: unknown) => {
    throw new VirtkitError('IO_ERROR', `cannot read ${file}: ${(e as Error).message}`, { details: { file }, cause: e });
  })).size;
  const length = o.length ? Math.min(o.length, size) : size;
  if (tryLocal(t, o)) {
    const fh = await open(file, 'r').catch(() => undefined);
    if (fh) {
      try {
        const { localUpload } = await import('./volume-lease.js');
        const done = await localUpload(t, pool, vol, fh, { offset: o.offset ?? 0, length, onProgress: o.onProgress });
        if (done) return done;
      } finally {
        await fh.close().catch(() => undefined);
      }
    }
  }
  const source = length === 0 ? Readable.from([]) : createReadStream(file, { start: 0, end: length - 1, highWaterMark: CHUNK });
  return uploadStream(t, pool, vol, source, length, o);
}

/** Writes the volume's bytes from `offset` (`length` of them, or to its end) into `file` (created or truncated); the bytes written. */
export async function downloadFile(t: Transport, pool: string, vol: string, file: string, o: TransferOptions = {}): Promise<number> {
  if (tryLocal(t, o)) {
    const { localDownload } = await import('./volume-lease.js');
    const done = await localDownload(t, pool, vol, file, { offset: o.offset ?? 0, length: o.length ?? 0, onProgress: o.onProgress });
    if (done !== undefined) return done;
  }
  const q = new URLSearchParams();
  if (o.offset) q.set('offset', String(o.offset));
  if (o.length) q.set('length', String(o.length));
  const qs = q.toString();
  const { req, res } = await send(t, 'GET', `${contentPath(pool, vol)}${qs === '' ? '' : `?${qs}`}`, { Accept: 'application/octet-stream' });
  req.end();
  const answer = await res;
  if ((answer.statusCode ?? 500) >= 400) throw await responseError(answer);
  const total = Number(answer.headers['content-length'] ?? 0);
  const fh = await open(file, 'w', 0o644);
  // An fdatasync every SYNC_EVERY bytes (not waited for): the disk writes back while bytes still arrive.
  let syncing: Promise<void> = Promise.resolve();
  let unsynced = 0;
  const progress = (done: number, all: number): void => {
    o.onProgress?.(done, all);
    if (done - unsynced >= SYNC_EVERY) {
      unsynced = done;
      syncing = syncing.then(() => fh.datasync()).catch(() => undefined);
    }
  };
  try {
    if (o.sparse === true) {
      const { writeSparse } = await import('./volume-sparse.js');
      const got = await writeSparse(answer, fh, total, o.onProgress);
      if (got !== total) throw new VirtkitError('IO_ERROR', `download of volume '${vol}' ended after ${got} of ${total} bytes`, { details: { written: got, expected: total } });
      await fh.sync();
      return total;
    }
    const out = createWriteStream(file, { fd: fh.fd, autoClose: false, highWaterMark: CHUNK });
    count(answer, total, progress);
    await pipeline(answer, out);
    await syncing;
    if (out.bytesWritten !== total) {
      throw new VirtkitError('IO_ERROR', `download of volume '${vol}' ended after ${out.bytesWritten} of ${total} bytes`, {
        details: { written: out.bytesWritten, expected: total },
      });
    }
    await fh.sync();
    return total;
  } catch (e) {
    if (e instanceof VirtkitError) throw e;
    throw new VirtkitError('IO_ERROR', `download of volume '${vol}' of pool '${pool}' into ${file} failed: ${(e as Error).message}`, { cause: e });
  } finally {
    await syncing;
    await fh.close().catch(() => undefined);
  }
}
