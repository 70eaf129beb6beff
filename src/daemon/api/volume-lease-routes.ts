/**
 * POST /v1/pools/{id}/volumes/{vol}/content?direction=upload|download: a transfer lease, the local
 * fast path of vol-upload / vol-download (storage/volume-lease.ts), over the UNIX socket only.
 * One HTTP exchange is the lease, both ways at once:
 *   1. the request's headers (its body still open) ask for it; refusals are ordinary error answers;
 *   2. the answer (200, application/x-ndjson) starts with one line {"lease": LeaseGrant};
 *   3. the client copies, fsyncs, then sends its outcome as the request body and ends it:
 *      {"ok":true}, {"ok":false,"reason":"..."}, or {"ok":false,"unused":true,"reason":"..."} when it wrote
 *      nothing (it could not open the file: it streams instead);
 *   4. the answer's last line is {"volume": VolumeInfo} or the usual {"error": {...}}, and it ends.
 * A connection that closes before step 3 ends the lease as a failed upload would end.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { asVirtkitError, VirtkitError, type ErrorCode } from '../../core/errors.js';
import type { Engine } from '../engine/engine.js';
import type { LeaseOutcome } from '../storage/volume-lease.js';
import { parseQuery, WAIT, type QuerySpec } from './query.js';

const MAX = Number.MAX_SAFE_INTEGER;
/** The outcome is a few bytes of JSON: more is not an outcome. */
const OUTCOME_LIMIT = 4096;

export const LEASE_QUERY = {
  direction: { kind: 'string', description: 'upload (the client writes the volume\'s file) or download (it reads it)' },
  offset: { kind: 'int', min: 0, max: MAX, description: 'The first byte of the volume\'s file (default 0)' },
  length: { kind: 'int', min: 0, max: MAX, description: 'upload: the bytes the client will write; download: at most this many (default 0: to the end)' },
  wait: WAIT,
} as const satisfies QuerySpec;
export const LEASE_ERRORS: ErrorCode[] = ['POOL_NOT_FOUND', 'VOLUME_NOT_FOUND', 'VOLUME_RANGE_INVALID', 'OPERATION_IN_PROGRESS',
  'OPERATION_TIMEOUT', 'OPERATION_INVALID', 'UNSUPPORTED_OPERATION', 'INVALID_ARGUMENT', 'IO_ERROR'];

function parseOutcome(text: string): LeaseOutcome {
  try {
    const o = JSON.parse(text) as unknown;
    if (typeof o === 'object' && o !== null && 'ok' in o) {
      if (o.ok === true) return { ok: true };
      if (o.ok === false) {
        const reason = 'reason' in o && typeof o.reason === 'string' ? o.reason.slice(0, 500) : 'the client gave up';
        return { ok: false, reason, ...('unused' in o && o.unused === true ? { unused: true } : {}) };
      }
    }
  } catch {
    // below
  }
  return { ok: false, reason: 'the client sent no outcome ({"ok":true} or {"ok":false,"reason":...})' };
}

/** The client's outcome: its request body once ended, or a failure when its connection goes first. */
function outcomeOf(req: IncomingMessage, res: ServerResponse): Promise<LeaseOutcome> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= OUTCOME_LIMIT) chunks.push(c);
    });
    req.on('end', () => resolve(parseOutcome(Buffer.concat(chunks).toString('utf8'))));
    const gone = (): void => resolve({ ok: false, reason: 'the client went away (its connection closed) before it finished' });
    req.on('error', gone);
    res.on('close', gone);
  });
}

/** Grants the lease, holds it for as long as the exchange lasts, ends it; throws (before any byte is sent) for a refusal. */
export async function handleVolumeLease(req: IncomingMessage, res: ServerResponse, target: { pool: string; vol: string },
  search: URLSearchParams, engine: Engine, tcp: boolean): Promise<void> {
  const q = parseQuery(LEASE_QUERY, search);
  if (q.direction !== 'upload' && q.direction !== 'download') {
    throw new VirtkitError('INVALID_ARGUMENT', `direction must be upload or download, not '${q.direction ?? ''}'`);
  }
  if (tcp) {
    throw new VirtkitError('UNSUPPORTED_OPERATION', 'a transfer lease is only for clients on the daemon\'s host, over its UNIX socket; ' +
      'use the streaming upload (PUT) or download (GET)');
  }
  // Listening from the start: a client that dies while the lease waits for the pool's job still ends it.
  const outcome = outcomeOf(req, res);
  const lease = await engine.dispatch({
    kind: 'volLease', pool: target.pool, volume: target.vol,
    lease: { direction: q.direction, offset: q.offset ?? 0, ...(q.length === undefined ? {} : { length: q.length }) },
  }, q.wait === undefined ? {} : { wait: q.wait });
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
  res.write(`${JSON.stringify({ lease: lease.grant })}\n`);
  let last: unknown;
  try {
    last = { volume: await lease.end(await outcome) };
  } catch (e) {
    last = asVirtkitError(e).toJSON();
  }
  if (!res.destroyed) res.end(`${JSON.stringify(last)}\n`);
}
