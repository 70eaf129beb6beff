/**
 * Escaping for QEMU's "key=value,key=value" option syntax (QemuOpts / keyval).
 *
 * A value is written verbatim except that every ',' is doubled, which is how
 * QEMU reads a literal comma. That is the whole injection defence for the
 * non-JSON options: a path such as "/tmp/a,b,readonly=on" becomes
 * "path=/tmp/a,,b,,readonly=on" and QEMU sees one value. Newlines and NUL
 * cannot be passed in an argv element meaningfully, so they are refused.
 * Everything else (quotes, spaces, a leading '-') is harmless because the
 * argv is an array handed to execve, never a shell string.
 */
import { VirtkitError } from '../../errors.js';

/** Refuses characters that no QEMU option value may carry. */
export function checkOptValue(v: string, what: string): string {
  if (/[\0\n\r]/.test(v)) {
    throw new VirtkitError('INVALID_ARGUMENT', `${what}: the value ${JSON.stringify(v)} contains a NUL or line break, which QEMU cannot take in an option`, {
      details: { what },
    });
  }
  return v;
}

/** Doubles commas so that the value cannot start a new key=value pair. */
export function escapeOptValue(v: string, what = 'option value'): string {
  return checkOptValue(v, what).replace(/,/g, ',,');
}

export type OptPair = readonly [key: string, value: string | number | boolean | undefined];

/**
 * Builds "first,key=val,key=val" with every value escaped. `first` is an
 * implied value (e.g. the machine type, a chardev backend) and is escaped too;
 * undefined values are skipped.
 */
export function keyval(first: string | undefined, pairs: readonly OptPair[]): string {
  const parts: string[] = [];
  if (first !== undefined) parts.push(escapeOptValue(first, 'option'));
  for (const [k, v] of pairs) {
    if (v === undefined) continue;
    if (!/^[a-zA-Z0-9_.-]+$/.test(k)) throw new VirtkitError('INTERNAL_ERROR', `bad QEMU option key '${k}'`);
    const s = typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v);
    parts.push(`${k}=${escapeOptValue(s, k)}`);
  }
  return parts.join(',');
}

/**
 * A JSON option value (-object/-device/-blockdev/-netdev/-audiodev). JSON
 * needs no comma escaping: QEMU parses it as JSON when it starts with '{'.
 * Undefined members are dropped; key order is kept (libvirt's order).
 */
export function jsonOpt(obj: Record<string, unknown>): string {
  return JSON.stringify(obj, (_k, v: unknown) => {
    if (typeof v === 'string') checkOptValue(v, 'JSON option value');
    return v;
  });
}
