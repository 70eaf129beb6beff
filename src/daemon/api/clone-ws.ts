/**
 * The WebSocket form of `virtkit clone` (/v1/domains/{id}/clone), for a client that shows each
 * disk copy's progress: the REST body's fields are in the query (files, macs and skipCopy
 * repeated; booleans as true/false; wait), checked with the same schema before the upgrade (a bad
 * request is an ordinary HTTP error). Then JSON text messages, and a close (1000):
 *   {"type":"progress","target":"vda","file":"NAME.qcow2","percent":N}  a disk's copy started (0) or grew by a whole percent
 *   {"type":"done","result":CloneResult}
 *   {"type":"error","error":{code,message,details}}   nothing was left behind
 * The clone runs to its end even if the client goes away (like a REST request).
 */
import type { WebSocket } from 'ws';
import { asVirtkitError, VirtkitError } from '../../core/errors.js';
import type { ActionOf } from '../engine/actions.js';
import type { CopyProgress } from '../engine/clone.js';
import type { Engine } from '../engine/engine.js';
import { optionsOf } from './clone-routes.js';
import { parseQuery, WAIT } from './query.js';
import { loadSchemas } from './router.js';

const ARRAYS = new Set(['files', 'macs', 'skipCopy']);
const BOOLEANS = new Set(['autoClone', 'preserveData', 'linked', 'reflink', 'replace', 'printXml']);

export interface CloneCall { readonly action: ActionOf<'clone'>; readonly wait: number | undefined }

export async function cloneWsRequest(domain: string, search: URLSearchParams): Promise<CloneCall> {
  const q = parseQuery({ wait: WAIT }, new URLSearchParams(search.has('wait') ? { wait: search.get('wait') ?? '' } : {}));
  const fields: Record<string, unknown> = {};
  for (const k of new Set(search.keys())) {
    if (k === 'wait') continue;
    if (ARRAYS.has(k)) {
      fields[k] = search.getAll(k);
      continue;
    }
    const v = search.get(k) ?? '';
    if (!BOOLEANS.has(k)) {
      fields[k] = v;
      continue;
    }
    if (v !== 'true' && v !== 'false') throw new VirtkitError('INVALID_ARGUMENT', `query parameter '${k}' must be true or false, not '${v}'`, { details: { parameter: k } });
    fields[k] = v === 'true';
  }
  const s = await loadSchemas();
  const body = s.validate(s.CloneBody, fields, 'query');
  return { action: { kind: 'clone', name: domain, ...optionsOf(body) }, wait: q.wait };
}

export async function runClone(ws: WebSocket, call: CloneCall, engine: Engine): Promise<void> {
  const send = (m: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  };
  const last = new Map<string, number>();
  const onProgress = (p: CopyProgress) => {
    const whole = Math.floor(p.percent);
    if (whole <= (last.get(p.target) ?? -1)) return;
    last.set(p.target, whole);
    send({ type: 'progress', target: p.target, file: p.file, percent: whole });
  };
  try {
    const result = await engine.dispatch({ ...call.action, onProgress }, call.wait === undefined ? {} : { wait: call.wait });
    send({ type: 'done', result });
  } catch (e) {
    send({ type: 'error', ...asVirtkitError(e).toJSON() });
  }
  if (ws.readyState === ws.OPEN) ws.close(1000, 'clone ended');
}
