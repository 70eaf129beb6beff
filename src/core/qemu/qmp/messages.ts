/**
 * The messages QEMU sends on a QMP monitor, as typed values. Each line QEMU
 * writes is one JSON object of one of four shapes:
 *   {"QMP": {"version": ..., "capabilities": [...]}}        greeting, once
 *   {"return": VALUE, "id": ID}                               a command's reply
 *   {"error": {"class": C, "desc": D}, "id": ID}              a command's failure
 *   {"event": NAME, "data": {...}, "timestamp": {...}}        asynchronous event
 * Anything else is reported as `invalid` so that the connection can decide
 * what to do (it drops the connection: a monitor that speaks garbage cannot
 * be trusted to match replies to commands).
 */

export interface QemuVersionTriple {
  readonly major: number;
  readonly minor: number;
  readonly micro: number;
}

/** `query-version`'s return, and the version in the greeting. */
export interface QemuVersionInfo {
  readonly qemu: QemuVersionTriple;
  /** The distribution's build string, e.g. "Debian 1:7.2+dfsg-7+deb12u18". */
  readonly package: string;
}

/** Command ids: virtkit sends strings; QEMU echoes whatever JSON it got. */
export type QmpId = string | number;

export interface QmpGreeting {
  readonly kind: 'greeting';
  readonly version: QemuVersionInfo;
  /** Optional features QEMU offers ("oob"); virtkit enables none. */
  readonly capabilities: readonly string[];
}

export interface QmpReturn {
  readonly kind: 'return';
  readonly id: QmpId | undefined;
  readonly value: unknown;
}

export interface QmpError {
  readonly kind: 'error';
  readonly id: QmpId | undefined;
  /** QEMU's error class: GenericError, CommandNotFound, DeviceNotFound, DeviceNotActive, KVMMissingCap. */
  readonly errorClass: string;
  readonly desc: string;
}

export interface QmpTimestamp {
  readonly seconds: number;
  readonly microseconds: number;
}

export interface QmpEventMessage {
  readonly kind: 'event';
  readonly event: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly timestamp: QmpTimestamp;
}

export interface QmpInvalid {
  readonly kind: 'invalid';
  /** The offending line, cut to 200 characters. */
  readonly line: string;
  readonly reason: string;
}

export type QmpMessage = QmpGreeting | QmpReturn | QmpError | QmpEventMessage | QmpInvalid;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function idOf(m: Obj): QmpId | undefined {
  const id = m['id'];
  return typeof id === 'string' || isNum(id) ? id : undefined;
}

function versionOf(v: unknown): QemuVersionInfo | undefined {
  if (!isObj(v) || !isObj(v['qemu'])) return undefined;
  const q = v['qemu'];
  if (!isNum(q['major']) || !isNum(q['minor']) || !isNum(q['micro'])) return undefined;
  const pkg = typeof v['package'] === 'string' ? v['package'] : '';
  return { qemu: { major: q['major'], minor: q['minor'], micro: q['micro'] }, package: pkg };
}

/** Parses a `query-version` return (or the greeting's version); undefined if it is not one. */
export function parseVersionInfo(v: unknown): QemuVersionInfo | undefined {
  return versionOf(v);
}

const invalid = (line: string, reason: string): QmpInvalid => ({ kind: 'invalid', line: line.slice(0, 200), reason });

/** Classifies one line of QMP output. Never throws. */
export function classifyMessage(line: string): QmpMessage {
  let m: unknown;
  try {
    m = JSON.parse(line);
  } catch (e) {
    return invalid(line, `not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isObj(m)) return invalid(line, 'not a JSON object');
  if ('return' in m) return { kind: 'return', id: idOf(m), value: m['return'] };
  if ('error' in m) {
    const e = m['error'];
    if (!isObj(e) || typeof e['class'] !== 'string' || typeof e['desc'] !== 'string') {
      return invalid(line, 'an error without class and desc');
    }
    return { kind: 'error', id: idOf(m), errorClass: e['class'], desc: e['desc'] };
  }
  if ('event' in m) {
    const name = m['event'];
    if (typeof name !== 'string') return invalid(line, 'an event without a name');
    const data = isObj(m['data']) ? m['data'] : {};
    const ts = m['timestamp'];
    const timestamp = isObj(ts) && isNum(ts['seconds']) && isNum(ts['microseconds'])
      ? { seconds: ts['seconds'], microseconds: ts['microseconds'] }
      : { seconds: 0, microseconds: 0 };
    return { kind: 'event', event: name, data, timestamp };
  }
  if ('QMP' in m) {
    const g = m['QMP'];
    const version = isObj(g) ? versionOf(g['version']) : undefined;
    if (!isObj(g) || version === undefined) return invalid(line, 'a greeting without a version');
    const caps = Array.isArray(g['capabilities']) ? g['capabilities'].filter((c): c is string => typeof c === 'string') : [];
    return { kind: 'greeting', version, capabilities: caps };
  }
  return invalid(line, 'none of return, error, event or QMP');
}
