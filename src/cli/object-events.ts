/**
 * What pool-event and secret-event share (virsh's cmdPoolEvent / cmdSecretEvent): `--list`
 * prints the event types; `--event TYPE` (required otherwise) picks one; the stream is the
 * daemon's object events (GET /v1/events?kind=...); one event, or every one with `--loop`,
 * until `--timeout` seconds or Ctrl-C; then `events received: N`.
 */
import type { ObjectEvent, ObjectEventKind } from '../client/types.js';
import { asVirtkitError } from '../core/errors.js';
import { CliError, usageError, type Context, type OptionSpec } from './framework.js';

export const OBJECT_EVENT_OPTS = {
  event: { type: 'string', arg: 'string', help: 'which event type to wait for' },
  loop: { type: 'boolean', help: 'loop until timeout or interrupt, rather than one-shot' },
  timeout: { type: 'string', arg: 'number', help: 'timeout seconds' },
  list: { type: 'boolean', help: 'list valid event types' },
  timestamp: { type: 'boolean', help: 'show timestamp for each printed event' },
} as const satisfies Record<string, OptionSpec>;

export interface EventTypes {
  /** virsh's event type names, in its order; the first is 'lifecycle'. */
  readonly names: readonly string[];
  /** The event type a daemon event belongs to ('lifecycle' or its own name). */
  typeOf(e: ObjectEvent): string;
  /** virsh's line for the event. */
  line(e: ObjectEvent): string;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** virsh's --timestamp prefix (virTimeStringNowRaw): `2026-12-04 08:03:54.123+0000`, UTC. */
export function eventTimestamp(iso: string): string {
  const d = new Date(iso);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}+0000`;
}

/** libvirt's lifecycle words: Defined, Value Changed... */
export const eventWord = (s: string): string => s.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');

export async function watchObjectEvents(
  ctx: Context,
  o: { event: string | undefined; loop: boolean; timeout: string | undefined; list: boolean; timestamp: boolean },
  kind: ObjectEventKind,
  filter: { domain?: string; network?: string; pool?: string; secret?: string },
  types: EventTypes,
): Promise<void> {
  if (o.list) return ctx.print(types.names.join('\n'));
  if (o.event === undefined) throw usageError('either --list or --event <type> is required');
  const want = o.event;
  if (!types.names.includes(want)) throw usageError(`unknown event type ${want}`);
  const timeout = o.timeout === undefined ? undefined : Number(o.timeout);
  if (timeout !== undefined && !(Number.isSafeInteger(timeout) && timeout > 0)) throw usageError(`invalid timeout value '${o.timeout}'`);
  let stream;
  try {
    stream = await ctx.client().objectEvents(kind, filter);
  } catch (e) {
    const err = asVirtkitError(e);
    if (err.code === 'DAEMON_UNREACHABLE') throw err;
    throw new CliError([err.message], err);
  }
  let count = 0;
  let onSigint = (): void => undefined;
  const why = await new Promise<string>((resolve) => {
    onSigint = () => resolve('event loop interrupted');
    stream.on('event', (e) => {
      if (types.typeOf(e) !== want) return;
      count++;
      if (ctx.json) ctx.printJson(e);
      else ctx.print(`${o.timestamp ? `${eventTimestamp(e.timestamp)}: ` : ''}${types.line(e)}`);
      if (!o.loop) resolve('');
    });
    if (timeout !== undefined) setTimeout(() => resolve('event loop timed out'), timeout * 1000).unref();
    void stream.closed.then((r) => resolve(r === '' ? 'the daemon closed the event stream' : r));
    process.once('SIGINT', onSigint);
  });
  process.removeListener('SIGINT', onSigint);
  stream.close();
  if (!ctx.json) {
    if (why !== '') ctx.print(why);
    ctx.print(`events received: ${count}`);
  }
}
