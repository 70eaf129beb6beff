/**
 * The object events of GET /v1/events?kind=pool|secret|snapshot (docs/api.md, "WebSockets"),
 * as a strict valibot schema; schemas.ts re-exports it and adds it to its named components.
 */
import * as v from 'valibot';

/** Named schemas of this module; schemas.ts adds them to `apiSchemas`. */
export const eventSchemas = new Map<v.GenericSchema, { readonly id: string; readonly description: string }>();

/** What each kind of object reports: libvirt's pool and secret events, virtkit's own for snapshots, libvirt's BLOCK_JOB_2 for block jobs. */
export const OBJECT_EVENTS = {
  'block-job': ['completed', 'failed', 'canceled', 'ready'],
  network: ['defined', 'undefined', 'started', 'stopped', 'dnsmasq-restarted'],
  pool: ['defined', 'undefined', 'started', 'stopped', 'created', 'deleted', 'refresh'],
  secret: ['defined', 'undefined', 'value-changed'],
  snapshot: ['created', 'reverted', 'deleted'],
} as const;

export type ObjectEventKind = keyof typeof OBJECT_EVENTS;

const described = <T extends v.GenericSchema>(schema: T, text: string) => v.pipe(schema, v.description(text));

export const ObjectEvent = v.strictObject({
  kind: v.picklist(Object.keys(OBJECT_EVENTS) as ObjectEventKind[]),
  name: described(v.string(), "The object's name (a secret's: its UUID; a snapshot's: the snapshot's name; a block job's: its disk target)"),
  uuid: described(v.pipe(v.string(), v.uuid()), "The object's UUID (a snapshot's or block job's: its domain's)"),
  domain: v.optional(described(v.string(), 'A snapshot or block-job event: the domain it belongs to')),
  event: v.picklist([...new Set(Object.values(OBJECT_EVENTS).flat())]),
  timestamp: v.pipe(v.string(), v.isoTimestamp()),
});
eventSchemas.set(ObjectEvent, { id: 'ObjectEvent', description: 'One message of GET /v1/events?kind=pool, secret or snapshot' });
