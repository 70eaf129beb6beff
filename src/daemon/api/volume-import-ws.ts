/**
 * The WebSocket form of vol-import, for a client that shows progress: the
 * request is in the query (file, format, name, targetFormat as the REST body
 * has them; wait), checked before the upgrade (a bad request is an ordinary
 * HTTP error). Then the server sends JSON text messages and closes (1000):
 *   {"type":"progress","percent":N}        each time qemu-img's whole percentage grows
 *   {"type":"done","volume":VolumeInfo}    the volume is in the pool
 *   {"type":"error","error":{code,message,details}}   nothing was left behind
 * The import runs to its end even if the client goes away (like a REST request).
 */
import type { WebSocket } from 'ws';
import { asVirtkitError } from '../../core/errors.js';
import type { Action } from '../engine/actions.js';
import type { Engine } from '../engine/engine.js';
import { parseQuery } from './query.js';
import { WAIT } from './query.js';
import { loadSchemas } from './router.js';

/** The volume jobs that report qemu-img's progress: import, and full copies (volume-copy-ws.ts). */
export type ProgressAction = Extract<Action, { kind: 'volImport' | 'volClone' | 'volCreateFrom' }>;
export interface ImportCall { readonly action: ProgressAction; readonly wait: number | undefined }

export async function importRequest(pool: string, search: URLSearchParams): Promise<ImportCall> {
  const q = parseQuery({ wait: WAIT }, new URLSearchParams(search.has('wait') ? { wait: search.get('wait') ?? '' } : {}));
  const fields: Record<string, string> = {};
  for (const [k, v] of search) if (k !== 'wait') fields[k] = v;
  const s = await loadSchemas();
  const body = s.validate(s.VolumeImportBody, fields, 'query');
  const action: ProgressAction = {
    kind: 'volImport', pool, file: body.file, format: body.format,
    ...(body.name === undefined ? {} : { name: body.name }),
    ...(body.targetFormat === undefined ? {} : { targetFormat: body.targetFormat }),
  };
  return { action, wait: q.wait };
}

export async function runImport(ws: WebSocket, call: ImportCall, engine: Engine): Promise<void> {
  const send = (m: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  };
  let last = -1;
  const onProgress = (percent: number) => {
    const whole = Math.floor(percent);
    if (whole > last) {
      last = whole;
      send({ type: 'progress', percent: whole });
    }
  };
  try {
    const volume = await engine.dispatch({ ...call.action, onProgress }, call.wait === undefined ? {} : { wait: call.wait });
    send({ type: 'done', volume });
  } catch (e) {
    send({ type: 'error', ...asVirtkitError(e).toJSON() });
  }
  if (ws.readyState === ws.OPEN) ws.close(1000, call.action.kind === 'volImport' ? 'import ended' : 'copy ended');
}
