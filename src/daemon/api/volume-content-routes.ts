/**
 * The volume content routes (vol-upload, vol-download): the only routes whose
 * bodies are bytes, not JSON, so they bypass the JSON router. The request
 * body streams into the engine's volUpload (Content-Length required: it is
 * the number of bytes written); a download's bytes stream into the response
 * with their Content-Length. Errors are the usual JSON error body, with the
 * status of their code. A POST is a transfer lease, the local fast path
 * (volume-lease-routes.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { VirtkitError, type ErrorCode } from '../../core/errors.js';
import type { Engine } from '../engine/engine.js';
import { parseQuery, WAIT, type QuerySpec } from './query.js';
import { matchSegments } from './router.js';
import { handleVolumeLease } from './volume-lease-routes.js';

export const VOLUME_CONTENT = '/v1/pools/{id}/volumes/{vol}/content';
const segments = VOLUME_CONTENT.split('/').filter((x) => x !== '');
const MAX = Number.MAX_SAFE_INTEGER;

export const UPLOAD_QUERY = {
  offset: { kind: 'int', min: 0, max: MAX, description: 'Write from this byte of the volume\'s file (default 0)' },
  sparse: { kind: 'bool', description: 'Keep the zero blocks of the body as holes: the range is punched first, then only data blocks are written (vol-upload --sparse)' },
  wait: WAIT,
} as const satisfies QuerySpec;
export const DOWNLOAD_QUERY = {
  offset: { kind: 'int', min: 0, max: MAX, description: 'Read from this byte of the volume\'s file (default 0)' },
  length: { kind: 'int', min: 0, max: MAX, description: 'Read at most this many bytes (default 0: to the end of the file)' },
} as const satisfies QuerySpec;
export const UPLOAD_ERRORS: ErrorCode[] = ['POOL_NOT_FOUND', 'VOLUME_NOT_FOUND', 'VOLUME_RANGE_INVALID', 'OPERATION_IN_PROGRESS',
  'OPERATION_TIMEOUT', 'OPERATION_INVALID', 'UNSUPPORTED_OPERATION', 'IO_ERROR', 'NO_SPACE'];
export const DOWNLOAD_ERRORS: ErrorCode[] = ['POOL_NOT_FOUND', 'VOLUME_NOT_FOUND', 'VOLUME_RANGE_INVALID', 'OPERATION_INVALID',
  'UNSUPPORTED_OPERATION', 'IO_ERROR'];

/** The pool and volume a content path names, or undefined for any other path. */
export function matchVolumeContent(pathname: string): { pool: string; vol: string } | undefined {
  const parts = pathname.split('/').filter((x) => x !== '');
  const p = matchSegments(segments, parts);
  if (!p) return undefined;
  try {
    return { pool: decodeURIComponent(p['id'] ?? ''), vol: decodeURIComponent(p['vol'] ?? '') };
  } catch {
    throw new VirtkitError('INVALID_ARGUMENT', `bad percent-encoding in ${pathname}`);
  }
}

/**
 * Answers one content request; returns the JSON answer to send, or undefined when the
 * response was already streamed. Throws (before any byte is sent) for the error body.
 */
export async function handleVolumeContent(req: IncomingMessage, res: ServerResponse, target: { pool: string; vol: string },
  search: URLSearchParams, engine: Engine, tcp: boolean): Promise<{ status: number; body: unknown } | undefined> {
  const method = req.method ?? 'GET';
  if (method === 'POST') {
    await handleVolumeLease(req, res, target, search, engine, tcp);
    return undefined;
  }
  if (method === 'PUT') {
    const q = parseQuery(UPLOAD_QUERY, search);
    const header = req.headers['content-length'];
    if (header === undefined || !/^\d+$/.test(header)) {
      throw new VirtkitError('INVALID_ARGUMENT', 'an upload needs a Content-Length header: the number of bytes to write');
    }
    const info = await engine.dispatch({
      kind: 'volUpload', pool: target.pool, volume: target.vol,
      upload: { offset: q.offset ?? 0, length: Number(header), source: req, ...(q.sparse === true ? { sparse: true } : {}) },
    }, q.wait === undefined ? {} : { wait: q.wait });
    return { status: 200, body: info };
  }
  if (method === 'GET') {
    const q = parseQuery(DOWNLOAD_QUERY, search);
    const d = await engine.dispatch({
      kind: 'volDownload', pool: target.pool, volume: target.vol, offset: q.offset ?? 0, ...(q.length === undefined ? {} : { length: q.length }),
    });
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream', 'Content-Length': String(d.range.length),
      'X-Virtkit-Offset': String(d.range.offset),
    });
    // A read error mid-stream can only cut the response short: the client sees fewer bytes than Content-Length.
    await d.send(res).then(() => res.end(), () => res.destroy());
    return undefined;
  }
  throw new VirtkitError('METHOD_NOT_ALLOWED', `${method} is not allowed on ${VOLUME_CONTENT}; use PUT (upload), GET (download) or POST (a transfer lease)`, {
    details: { allowed: ['PUT', 'GET', 'POST'] },
  });
}
