/**
 * The WebSocket endpoints. Kept apart from ws.ts (which loads the `ws`
 * library) so that the HTTP edge can recognise them without loading it.
 */
import type { QuerySpec } from './query.js';
import { matchSegments } from './router.js';

export const WS_EVENTS = '/v1/events';
export const WS_CONSOLE = '/v1/domains/{id}/console';
/** vol-import with progress: the request in the query (file, format, name, targetFormat, wait). */
export const WS_VOLUME_IMPORT = '/v1/pools/{id}/volume-import';
/** vol-clone and vol-create-from with progress: the REST body's fields in the query (volume-copy-ws.ts). */
export const WS_VOLUME_CLONE = '/v1/pools/{id}/volumes/{vol}/clone';
export const WS_VOLUME_CREATE_FROM = '/v1/pools/{id}/volume-create-from';
/** virtkit clone with each disk copy's progress: the REST body's fields in the query (clone-ws.ts). */
export const WS_DOMAIN_CLONE = '/v1/domains/{id}/clone';

export const EVENTS_QUERY = {
  kind: { kind: 'string', description: 'Which events: domain (the default: LifecycleEvent messages), network, pool, secret, snapshot or block-job (ObjectEvent messages)' },
  domain: { kind: 'string', description: 'Only events of this domain (name, UUID or id): domain, snapshot and block-job events' },
  network: { kind: 'string', description: 'Only events of this network (name or UUID): network events' },
  pool: { kind: 'string', description: 'Only events of this pool (name or UUID): pool events' },
  secret: { kind: 'string', description: 'Only events of this secret (UUID): secret events' },
} as const satisfies QuerySpec;
export const CONSOLE_QUERY = {
  force: { kind: 'bool', description: 'Take the console over from another session' },
} as const satisfies QuerySpec;

const templates = [WS_EVENTS, WS_CONSOLE, WS_VOLUME_IMPORT, WS_VOLUME_CLONE, WS_VOLUME_CREATE_FROM, WS_DOMAIN_CLONE].map((p) => ({ path: p, segments: p.split('/').filter((x) => x !== '') }));

/** Which endpoint `pathname` names, with its path parameters. */
export function matchWebSocketPath(pathname: string): { path: string; params: Record<string, string> } | undefined {
  const parts = pathname.split('/').filter((x) => x !== '').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  for (const t of templates) {
    const params = matchSegments(t.segments, parts);
    if (params) return { path: t.path, params };
  }
  return undefined;
}

export function isWebSocketPath(pathname: string): boolean {
  return matchWebSocketPath(pathname) !== undefined;
}
