/**
 * GET /v1/events (WebSocket): which stream a connection asks for. `kind` picks the objects:
 * `domain` (the default: LifecycleEvent messages), `pool`, `secret`, `snapshot` or `block-job` (ObjectEvent
 * messages, docs/api.md). One filter may narrow it: `domain=` (domain, snapshot and block-job events),
 * `pool=`, `secret=` (a UUID). The filter's object is looked up before the upgrade, so an
 * unknown one is an ordinary HTTP error (404 and its code).
 */
import { VirtkitError } from '../../core/errors.js';
import type { Engine } from '../engine/engine.js';
import { parseQuery } from './query.js';
import { EVENTS_QUERY } from './ws-paths.js';

const KINDS = ['block-job', 'domain', 'network', 'pool', 'secret', 'snapshot'] as const;
type Kind = (typeof KINDS)[number];
/** Which filter each kind takes. */
const FILTER: Readonly<Record<Kind, 'domain' | 'network' | 'pool' | 'secret'>> = { 'block-job': 'domain', domain: 'domain', snapshot: 'domain', network: 'network', pool: 'pool', secret: 'secret' };

/** Subscribes `send` to the stream; returns the unsubscribe. */
export type EventFeed = (send: (message: unknown) => void) => () => void;

export async function eventFeed(engine: Engine, search: URLSearchParams): Promise<EventFeed> {
  const q = parseQuery(EVENTS_QUERY, search);
  const kind = (q.kind ?? 'domain') as Kind;
  if (!KINDS.includes(kind)) {
    throw new VirtkitError('INVALID_ARGUMENT', `invalid query string: kind: '${String(q.kind)}' is not one of ${KINDS.join(', ')}`, { details: { parameter: 'kind' } });
  }
  for (const f of ['domain', 'network', 'pool', 'secret'] as const) {
    if (q[f] !== undefined && FILTER[kind] !== f) {
      throw new VirtkitError('INVALID_ARGUMENT', `invalid query string: ${f}: ${kind} events are filtered with ${FILTER[kind]}=`, { details: { parameter: f } });
    }
  }
  let uuid: string | undefined;
  if (q.domain !== undefined) uuid = (await engine.dispatch({ kind: 'get', name: q.domain })).uuid;
  if (q.network !== undefined) uuid = (await engine.dispatch({ kind: 'netGet', network: q.network })).uuid;
  if (q.pool !== undefined) uuid = (await engine.dispatch({ kind: 'poolGet', pool: q.pool })).uuid;
  if (q.secret !== undefined) uuid = (await engine.dispatch({ kind: 'secretGet', uuid: q.secret })).uuid;
  const filter = uuid === undefined ? {} : { uuid };
  if (kind === 'domain') return (send) => engine.subscribe(send, filter);
  return (send) => engine.subscribeObjects(kind, send, filter);
}
