/**
 * The pure half of the secret value store. A value is bytes; `secret-set-value` takes it as
 * base64 by default (as virsh does) and `secret-get-value` prints base64. Nothing here puts a
 * value, or any part of one, into an error message: values are never logged.
 */
import { VirtkitError } from '../../errors.js';
import type { SecretDef, SecretUsageType } from './schema.js';

/** libvirt's remote protocol limit on a secret value (REMOTE_SECRET_VALUE_MAX). */
export const SECRET_VALUE_MAX = 65536;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Strict base64 (RFC 4648, padded) to bytes. Line breaks and other blanks are ignored, so the
 * output of `base64` and `ceph auth get-key` both work; anything else is refused rather than
 * skipped, as Buffer.from(s, 'base64') would.
 */
export function decodeSecretBase64(text: string): Uint8Array {
  const compact = text.replace(/\s+/g, '');
  if (!BASE64.test(compact)) {
    throw new VirtkitError(
      'INVALID_ARGUMENT',
      `the secret value is not valid base64 (${compact.length} characters without blanks; expected A-Z a-z 0-9 + / and '=' padding to a multiple of 4); ` +
        'give the bytes base64-encoded, or use --plain for a value that is text',
    );
  }
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

export function encodeSecretBase64(value: Uint8Array): string {
  return Buffer.from(value).toString('base64');
}

/**
 * Checks a value before it is stored for a secret of `usage` type (undefined: no usage).
 * Every value is 1 to 65536 bytes. A ceph value is a cephx key, the bytes `ceph auth get-key`
 * prints in base64: a 12-byte header (u16 type, u32+u32 creation time, u16 length) and that
 * many key bytes. A ceph value that is the base64 text itself (given with --plain) is the
 * commonest mistake and fails this check instead of failing at the first rbd connection.
 */
export function checkSecretValue(usage: SecretUsageType | undefined, value: Uint8Array): void {
  if (value.length === 0) throw new VirtkitError('INVALID_ARGUMENT', 'the secret value is empty; a secret needs at least one byte');
  if (value.length > SECRET_VALUE_MAX) {
    throw new VirtkitError('INVALID_ARGUMENT', `the secret value is ${value.length} bytes; at most ${SECRET_VALUE_MAX} are allowed`, {
      details: { length: value.length, max: SECRET_VALUE_MAX },
    });
  }
  if (usage === 'ceph' && !isCephxKey(value)) {
    throw new VirtkitError(
      'INVALID_ARGUMENT',
      `the value of a ceph secret must be a cephx key (${value.length} bytes given are not one): ` +
        "pass the key as 'ceph auth get-key client.NAME' prints it, base64-encoded (the default of secret-set-value, not --plain)",
      { details: { length: value.length } },
    );
  }
}

function isCephxKey(v: Uint8Array): boolean {
  if (v.length < 13) return false;
  const len = (v[10] ?? 0) | ((v[11] ?? 0) << 8);
  return len > 0 && len === v.length - 12;
}

/** secret-get-value's rule: a private secret's value never leaves the daemon. */
export function checkSecretValueReadable(def: SecretDef): void {
  if (def.private === true) {
    throw new VirtkitError('OPERATION_INVALID', `secret ${def.uuid ?? ''} is private: its value cannot be read back (it can only be replaced or used)`, {
      details: { uuid: def.uuid },
    });
  }
}
