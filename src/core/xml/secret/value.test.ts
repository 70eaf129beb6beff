import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtkitError } from '../../errors.js';
import { checkSecretValue, checkSecretValueReadable, decodeSecretBase64, encodeSecretBase64, SECRET_VALUE_MAX } from './index.js';

function refused(fn: () => unknown, code: string, text: RegExp): VirtkitError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof VirtkitError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, text);
    return e;
  }
  assert.fail('expected a refusal');
}

/** A cephx key as ceph builds one: u16 type 1 (AES), u32+u32 creation time, u16 length 16, 16 key bytes. */
function cephxKey(): Uint8Array {
  const b = new Uint8Array(28);
  b[0] = 1;
  b[2] = 0x5d;
  b[10] = 16;
  for (let i = 12; i < 28; i++) b[i] = i * 7;
  return b;
}

test('base64 round-trips bytes, blanks and line breaks ignored', () => {
  const bytes = Uint8Array.from([0, 255, 10, 13, 61, 43, 47]);
  const text = encodeSecretBase64(bytes);
  assert.equal(text, 'AP8KDT0rLw==');
  assert.deepEqual(decodeSecretBase64(text), bytes);
  assert.deepEqual(decodeSecretBase64(' AP8K\nDT0r\r\nLw==\n'), bytes);
  assert.deepEqual(decodeSecretBase64(encodeSecretBase64(cephxKey())), cephxKey());
  // A cephx key as `ceph auth get-key` prints it begins with AQ (type 1).
  assert.match(encodeSecretBase64(cephxKey()), /^AQ[A-Za-z0-9+/]{36}==$/);
});

test('bad base64 is refused, and the message never quotes the value', () => {
  for (const bad of ['AP8KDT0rLw=', 'AP8*DT0r', 'abc', 'AP8KDT0rLw==AAAA', 'Zm9v-_==']) {
    const e = refused(() => decodeSecretBase64(bad), 'INVALID_ARGUMENT', /is not valid base64/);
    assert.ok(!e.message.includes(bad), e.message);
  }
});

test('value checks: non-empty, at most 64 KiB, a ceph value is a cephx key', () => {
  checkSecretValue('volume', new TextEncoder().encode('correct horse battery staple'));
  checkSecretValue(undefined, Uint8Array.of(0));
  checkSecretValue('ceph', cephxKey());
  checkSecretValue('tls', new Uint8Array(SECRET_VALUE_MAX));
  refused(() => checkSecretValue('volume', new Uint8Array(0)), 'INVALID_ARGUMENT', /is empty/);
  refused(() => checkSecretValue('iscsi', new Uint8Array(SECRET_VALUE_MAX + 1)), 'INVALID_ARGUMENT', /65537 bytes; at most 65536/);
  // The key's base64 text given as the value (virsh secret-set-value --plain): refused with the fix.
  const asText = new TextEncoder().encode(encodeSecretBase64(cephxKey()));
  const e = refused(() => checkSecretValue('ceph', asText), 'INVALID_ARGUMENT', /must be a cephx key \(40 bytes given are not one\).*not --plain/);
  assert.ok(!e.message.includes(encodeSecretBase64(cephxKey())));
  const short = cephxKey().subarray(0, 20);
  refused(() => checkSecretValue('ceph', short), 'INVALID_ARGUMENT', /cephx key/);
});

test('a private secret cannot be read back; others can', () => {
  checkSecretValueReadable({ uuid: 'u', private: false });
  checkSecretValueReadable({ uuid: 'u' });
  refused(() => checkSecretValueReadable({ uuid: '0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f', private: true }), 'OPERATION_INVALID', /0a81f5b2-.* is private: its value cannot be read back/);
});
