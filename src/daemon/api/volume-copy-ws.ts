/**
 * The WebSocket forms of vol-clone and vol-create-from, for a client that shows the progress of a
 * full copy (qemu-img convert -p): the REST body's fields are in the query (booleans as
 * `true`/`false`; wait), checked with the same schemas before the upgrade. The messages are
 * vol-import's (volume-import-ws.ts): progress percentages, then done with the volume or error.
 * A linked clone (a qcow2 overlay, no copy) sends no progress, only its end.
 */
import { VirtkitError } from '../../core/errors.js';
import type { ImportCall } from './volume-import-ws.js';
import { parseQuery, WAIT } from './query.js';
import { loadSchemas } from './router.js';

const BOOLEANS = new Set(['linked', 'preallocMetadata']);

/** The query's fields (wait apart) as the REST body would have them. */
function bodyOf(search: URLSearchParams): { fields: Record<string, string | boolean>; wait: number | undefined } {
  const q = parseQuery({ wait: WAIT }, new URLSearchParams(search.has('wait') ? { wait: search.get('wait') ?? '' } : {}));
  const fields: Record<string, string | boolean> = {};
  for (const [k, v] of search) {
    if (k === 'wait') continue;
    if (!BOOLEANS.has(k)) {
      fields[k] = v;
      continue;
    }
    if (v !== 'true' && v !== 'false') throw new VirtkitError('INVALID_ARGUMENT', `query parameter '${k}' must be true or false, not '${v}'`, { details: { parameter: k } });
    fields[k] = v === 'true';
  }
  return { fields, wait: q.wait };
}

export async function cloneRequest(pool: string, volume: string, search: URLSearchParams): Promise<ImportCall> {
  const { fields, wait } = bodyOf(search);
  const s = await loadSchemas();
  const body = s.validate(s.VolumeCloneBody, fields, 'query');
  return {
    action: {
      kind: 'volClone', pool, volume, newName: body.name,
      ...(body.linked === undefined ? {} : { linked: body.linked }),
      ...(body.preallocMetadata === undefined ? {} : { preallocMetadata: body.preallocMetadata }),
    },
    wait,
  };
}

export async function createFromRequest(pool: string, search: URLSearchParams): Promise<ImportCall> {
  const { fields, wait } = bodyOf(search);
  const s = await loadSchemas();
  const body = s.validate(s.VolumeCreateFromBody, fields, 'query');
  return {
    action: {
      kind: 'volCreateFrom', pool, xml: body.xml, inputPool: body.inputPool, inputVolume: body.inputVolume,
      ...(body.preallocMetadata === undefined ? {} : { preallocMetadata: body.preallocMetadata }),
    },
    wait,
  };
}
