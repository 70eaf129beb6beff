import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtkitError } from '../../errors.js';
import type { SecretDef } from './index.js';
import { checkSecretDefine, formatSecretXml, parseSecretXml, prepareSecretXml, secretDefaults, validateSecret } from './index.js';

/** A fixed random stream: 0, 1, 2... so generated UUIDs are known. */
const counting = { random: (n: number) => Uint8Array.from({ length: n }, (_, i) => i) };

function fails(fn: () => unknown, code: string, text: RegExp): VirtkitError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof VirtkitError, `expected a VirtkitError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  assert.match(err.message, text);
  return err;
}

// formatsecret.html's volume example, reindented.
const VOLUME = `<secret ephemeral='no' private='yes'>
  <uuid>0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f</uuid>
  <description>Super secret name of my first puppy</description>
  <usage type='volume'>
    <volume>/var/lib/libvirt/images/puppyname.img</volume>
  </usage>
</secret>
`;

test('a full secret formats back to the same text (libvirt order: uuid, description, usage)', () => {
  const def = prepareSecretXml(VOLUME, counting);
  assert.equal(formatSecretXml(def), VOLUME);
  assert.deepEqual(parseSecretXml(formatSecretXml(def)), def);
});

test('every usage type names its object with its own element', () => {
  for (const [type, child] of [
    ['volume', 'volume'],
    ['ceph', 'name'],
    ['iscsi', 'target'],
    ['tls', 'name'],
    ['vtpm', 'name'],
  ] as const) {
    const xml = `<secret ephemeral='yes' private='no'>\n  <uuid>5ee1b6c4-0c6f-4fb4-9a53-4d4a1a8c2d10</uuid>\n  <usage type='${type}'>\n    <${child}>the &amp; id</${child}>\n  </usage>\n</secret>\n`;
    const def = prepareSecretXml(xml, counting);
    assert.equal(def.usage?.[child], 'the & id');
    assert.equal(formatSecretXml(def), xml);
  }
});

test('defaults: a uuid from the injected random source, ephemeral and private written as no', () => {
  const def = prepareSecretXml("<secret><usage type='ceph'><name>client.admin secret</name></usage></secret>", counting);
  // Bytes 00..0f with the version-4 and variant bits set, as libvirt's virUUIDGenerate.
  assert.equal(def.uuid, '00010203-0405-4607-8809-0a0b0c0d0e0f');
  assert.equal(
    formatSecretXml(def),
    "<secret ephemeral='no' private='no'>\n  <uuid>00010203-0405-4607-8809-0a0b0c0d0e0f</uuid>\n  <usage type='ceph'>\n    <name>client.admin secret</name>\n  </usage>\n</secret>\n",
  );
  const input = parseSecretXml('<secret/>');
  secretDefaults(input, counting);
  assert.equal(input.uuid, undefined, 'the input is not modified');
});

test('a secret without usage is valid and has none', () => {
  const def = prepareSecretXml('<secret><description>spare</description></secret>', counting);
  assert.equal(def.usage, undefined);
  assert.match(formatSecretXml(def), /<description>spare<\/description>\n<\/secret>/);
});

test('refusals name the path', () => {
  fails(() => parseSecretXml('<domain/>'), 'INVALID_XML', /root element is <domain>, expected <secret>/);
  fails(() => parseSecretXml("<secret ephemeral='maybe'/>"), 'XML_INVALID_VALUE', /^\/secret\/@ephemeral: 'maybe' must be 'yes' or 'no'/);
  fails(() => parseSecretXml("<secret colour='red'/>"), 'XML_UNSUPPORTED', /^\/secret\/@colour: unsupported attribute/);
  fails(() => parseSecretXml('<secret><uuid>nope</uuid></secret>'), 'XML_INVALID_VALUE', /^\/secret\/uuid: 'nope' is not a UUID/);
  fails(() => parseSecretXml('<secret><usage/></secret>'), 'XML_MISSING', /^\/secret\/usage\/@type: <usage> needs the attribute 'type'/);
  fails(() => parseSecretXml("<secret><usage type='none'/></secret>"), 'XML_INVALID_VALUE', /^\/secret\/usage\/@type: 'none' must be one of 'volume', 'ceph', 'iscsi', 'tls', 'vtpm'/);
  fails(() => parseSecretXml("<secret><usage type='ceph'><name>a</name><name>b</name></usage></secret>"), 'XML_DUPLICATE', /<name> may appear only once/);
  fails(() => parseSecretXml("<secret><usage type='ceph'><pool>x</pool></usage></secret>"), 'XML_UNSUPPORTED', /^\/secret\/usage\/pool: unsupported element <pool>/);
  fails(() => parseSecretXml("<secret><usage type='volume'><volume>  </volume></usage></secret>"), 'XML_INVALID_VALUE', /^\/secret\/usage\/volume: '' must not be empty/);
  fails(() => parseSecretXml('<secret><description>a</description><description>b</description></secret>'), 'XML_DUPLICATE', /<description> may appear only once/);
});

test('a usage needs its own id element and refuses the others', () => {
  fails(() => prepareSecretXml("<secret><usage type='volume'/></secret>", counting), 'XML_MISSING', /^\/secret\/usage: a usage of type 'volume' needs <volume>/);
  fails(() => prepareSecretXml("<secret><usage type='iscsi'><name>x</name></usage></secret>", counting), 'XML_UNSUPPORTED', /^\/secret\/usage\/name: <name> does not belong in a usage of type 'iscsi', which names its object with <target>/);
  fails(() => prepareSecretXml("<secret><usage type='ceph'><name>x</name><volume>/v</volume></usage></secret>", counting), 'XML_UNSUPPORTED', /^\/secret\/usage\/volume: /);
  fails(() => validateSecret({ usage: { type: 'tls' } }), 'XML_MISSING', /needs <name>/);
});

const def = (uuid: string, usage: SecretDef['usage'], priv = false): SecretDef => ({ uuid, ephemeral: false, private: priv, ...(usage ? { usage } : {}) });
const U1 = '11111111-1111-4111-8111-111111111111';
const U2 = '22222222-2222-4222-8222-222222222222';

test('define: a new secret, a redefinition, and the usage/private rules', () => {
  const existing = [def(U1, { type: 'ceph', name: 'client.a' }, true), def(U2, undefined)];
  assert.equal(checkSecretDefine(existing, def('33333333-3333-4333-8333-333333333333', { type: 'ceph', name: 'client.b' })), undefined);
  assert.equal(checkSecretDefine(existing, def(U1, { type: 'ceph', name: 'client.a' }, true)), existing[0]);
  // Two secrets without usage do not clash.
  assert.equal(checkSecretDefine(existing, def('44444444-4444-4444-8444-444444444444', undefined)), undefined);
  fails(() => checkSecretDefine(existing, def(U1, { type: 'ceph', name: 'client.b' }, true)), 'XML_CONFLICT', /already defined for use with ceph client\.a; a secret's usage cannot change/);
  fails(() => checkSecretDefine(existing, def(U1, { type: 'tls', name: 'client.a' }, true)), 'XML_CONFLICT', /usage cannot change/);
  fails(() => checkSecretDefine(existing, def(U1, { type: 'ceph', name: 'client.a' }, false)), 'XML_CONFLICT', /^\/secret\/@private: .* is private/);
  const e = fails(() => checkSecretDefine(existing, def('55555555-5555-4555-8555-555555555555', { type: 'ceph', name: 'client.a' })), 'XML_DUPLICATE', /secret 11111111-.* is already defined for use with ceph client\.a/);
  assert.equal(e.details?.['uuid'], U1);
  // The same id under another usage type is another usage.
  assert.equal(checkSecretDefine(existing, def('66666666-6666-4666-8666-666666666666', { type: 'tls', name: 'client.a' })), undefined);
});
