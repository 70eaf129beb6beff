import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePoolXml, parseVolumeXml, prepareVolume, volumeProblems, checkVolumeXml } from './index.js';

const dirPool = parsePoolXml("<pool type='dir'><name>p</name><target><path>/srv/images/</path></target></pool>");
const rbdPool = parsePoolXml("<pool type='rbd'><name>c</name><source><name>rbdpool</name><host name='mon'/></source></pool>");
const problems = (xml: string, pool = dirPool): string[] => volumeProblems(prepareVolume(parseVolumeXml(xml), pool), pool).map((e) => `${e.code} ${String(e.details?.['path'])}`);

test('a volume takes its type, raw format, path, key and allocation from its pool', () => {
  const v = prepareVolume(parseVolumeXml("<volume><name>a.img</name><capacity unit='MiB'>8</capacity></volume>"), dirPool);
  assert.equal(v.type, 'file');
  assert.deepEqual(v.target?.format, { type: 'raw' });
  assert.equal(v.target?.path, '/srv/images/a.img');
  assert.equal(v.key, '/srv/images/a.img');
  assert.deepEqual(v.allocation, { value: 8 * 1024 * 1024 });
  const r = prepareVolume(parseVolumeXml('<volume><name>img</name></volume>'), rbdPool);
  assert.equal(r.type, 'network');
  assert.equal(r.target?.format, undefined);
  assert.equal(r.target?.path, 'rbdpool/img');
});

test('qcow2 features without a compat level get compat 1.1 (libvirt parses them so)', () => {
  const v = prepareVolume(parseVolumeXml("<volume><name>q</name><target><format type='qcow2'/><features><lazy_refcounts/></features></target></volume>"), dirPool);
  assert.equal(v.target?.compat, '1.1');
});

test('a backing store must name its format: virtkit never probes', () => {
  assert.deepEqual(problems("<volume><name>q</name><target><format type='qcow2'/></target><backingStore><path>/srv/images/base</path></backingStore></volume>"), [
    'XML_MISSING /volume/backingStore/format',
  ]);
  assert.deepEqual(problems("<volume><name>q</name><backingStore><path>nbd:host:10809</path><format type='raw'/></backingStore></volume>"), [
    'XML_INVALID_VALUE /volume/backingStore/path',
  ]);
});

test('encryption is LUKS with exactly one secret named by uuid or usage', () => {
  assert.deepEqual(problems("<volume><name>e</name><target><encryption format='qcow'><secret type='passphrase'/></encryption></target></volume>"), [
    'XML_UNSUPPORTED /volume/target/encryption/@format',
    'XML_MISSING /volume/target/encryption/secret',
  ]);
  assert.deepEqual(checkVolumeXml("<volume><name>e</name><target><encryption format='luks'/></target></volume>").map((e) => e.code), ['XML_MISSING']);
});

test('what the pool does not hold is refused: block volumes, extents, a path elsewhere, odd formats', () => {
  assert.deepEqual(problems("<volume type='block'><name>s</name><source><device path='/dev/sda'><extent start='0' end='1'/></device></source><target><path>/dev/sda1</path><format type='none'/></target></volume>"), [
    'XML_CONFLICT /volume/@type',
    'XML_UNSUPPORTED /volume/source/device',
    'XML_UNSUPPORTED /volume/target/format/@type',
    'XML_CONFLICT /volume/target/path',
  ]);
  assert.deepEqual(problems("<volume><name>a/b</name></volume>"), ['XML_INVALID_VALUE /volume/name']);
  assert.deepEqual(problems("<volume><name>r</name><target><format type='qcow2'/></target></volume>", rbdPool), ['XML_UNSUPPORTED /volume/target/format/@type']);
});
