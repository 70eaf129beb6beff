import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seeded } from '../../../../tests/helpers/seeded-random.js';
import { VirtkitError } from '../../errors.js';
import { checkPoolXml, formatPoolXml, parsePoolXml, poolProblems, preparePool } from './index.js';

const ctx = { random: seeded(7) };
const paths = (xml: string): string[] => checkPoolXml(xml).map((e) => `${e.code} ${String(e.details?.['path'])}`);

test('a dir pool gets a v4 UUID from ctx.random, a clean target path, and formats with sizes in bytes', () => {
  const def = preparePool(parsePoolXml("<pool type='dir'><name>p</name><capacity unit='GiB'>1</capacity><target><path>//srv//images/</path></target></pool>"), ctx);
  assert.match(def.uuid ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(def.target?.path, '/srv/images');
  assert.match(formatPoolXml(def), /<capacity unit='bytes'>1073741824<\/capacity>/);
  assert.deepEqual(poolProblems(def), []);
  // Same seed, same UUID: nothing else is random.
  assert.equal(preparePool(parsePoolXml("<pool type='dir'><name>p</name><target><path>/x</path></target></pool>"), { random: seeded(7) }).uuid, def.uuid);
});

test('refused pool types are named at /pool/@type before their children are looked at', () => {
  for (const type of ['logical', 'disk', 'iscsi', 'iscsi-direct', 'scsi', 'mpath', 'zfs', 'gluster', 'vstorage', 'sheepdog']) {
    const xml = `<pool type='${type}'><name>p</name><source><adapter name='host0'/></source></pool>`;
    assert.deepEqual(paths(xml), ['XML_UNSUPPORTED /pool/@type'], type);
  }
  assert.deepEqual(paths("<pool type='frob'><name>p</name></pool>"), ['XML_INVALID_VALUE /pool/@type']);
  assert.deepEqual(paths('<pool><name>p</name></pool>'), ['XML_MISSING /pool/@type']);
  assert.throws(() => parsePoolXml("<volume><name>v</name></volume>"), (e: unknown) => e instanceof VirtkitError && e.code === 'INVALID_XML');
});

test('unknown elements and attributes are refused with their path', () => {
  assert.deepEqual(paths("<pool type='dir'><name>p</name><target><path>/x</path><frob/></target></pool>"), ['XML_UNSUPPORTED /pool/target/frob']);
  assert.deepEqual(paths("<pool type='dir' x='1'><name>p</name><target><path>/x</path><permissions><mode>0999</mode></permissions></target></pool>"), [
    'XML_UNSUPPORTED /pool/@x',
    'XML_INVALID_VALUE /pool/target/permissions/mode',
  ]);
});

test('each pool type needs its own source parts and refuses the others', () => {
  assert.deepEqual(paths("<pool type='dir'><name>p</name><source><host name='h'/></source></pool>"), [
    'XML_UNSUPPORTED /pool/source/host',
    'XML_MISSING /pool/target/path',
  ]);
  assert.deepEqual(paths("<pool type='fs'><name>p</name><target><path>/mnt</path></target></pool>"), ['XML_MISSING /pool/source/device']);
  assert.deepEqual(paths("<pool type='fs'><name>p</name><source><device path='/dev/sdb1'/><format type='nfs'/></source><target><path>/mnt</path></target></pool>"), [
    'XML_INVALID_VALUE /pool/source/format/@type',
  ]);
  assert.deepEqual(paths("<pool type='netfs'><name>p</name><source><host name='h' port='2049'/><format type='cifs'/></source><target><path>rel</path></target></pool>"), [
    'XML_INVALID_VALUE /pool/target/path',
    'XML_UNSUPPORTED /pool/source/host/@port',
    'XML_MISSING /pool/source/dir',
    'XML_UNSUPPORTED /pool/source/format/@type',
  ]);
  assert.deepEqual(paths("<pool type='rbd'><name>p</name><source><auth type='chap' username='u'><secret/></auth></source><target><path>/x</path></target></pool>"), [
    'XML_UNSUPPORTED /pool/target',
    'XML_MISSING /pool/source/name',
    'XML_MISSING /pool/source/host',
    'XML_CONFLICT /pool/source/auth/@type',
    'XML_MISSING /pool/source/auth/secret',
  ]);
});

test('fs and netfs pools default to source format auto; a good netfs pool has no problems', () => {
  const def = preparePool(parsePoolXml("<pool type='netfs'><name>n</name><source><host name='nfs.example'/><dir path='/export'/></source><target><path>/mnt/n</path></target></pool>"), ctx);
  assert.deepEqual(def.source?.format, { type: 'auto' });
  assert.deepEqual(poolProblems(def), []);
  assert.match(formatPoolXml(def), /<host name='nfs.example'\/>\n {4}<dir path='\/export'\/>\n {4}<format type='auto'\/>/);
});
