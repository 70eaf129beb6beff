import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FS_POOL_FORMATS, POOL_TYPES } from '../xml/storage/pool-schema.js';
import { poolCapabilitiesXml } from './pool-capabilities.js';

const pools = (xml: string) => [...xml.matchAll(/<pool type='([^']+)' supported='(yes|no)'/g)].map((m) => [m[1], m[2]]);
const values = (xml: string, type: string, name: string) => {
  const block = new RegExp(`<pool type='${type}' supported='yes'>([\\s\\S]*?)</pool>`).exec(xml)?.[1] ?? '';
  const e = new RegExp(`<enum name='${name}'>([\\s\\S]*?)</enum>`).exec(block)?.[1] ?? '';
  return [...e.matchAll(/<value>([^<]*)<\/value>/g)].map((m) => m[1]);
};

test('pool capabilities: every libvirt pool type, yes for the ones virtkit starts, their source and volume formats', () => {
  const xml = poolCapabilitiesXml();
  assert.match(xml, /^<storagepoolCapabilities>\n[\s\S]*<\/storagepoolCapabilities>\n$/);
  const listed = pools(xml);
  assert.equal(listed.length, 14);
  assert.deepEqual(listed.filter(([, s]) => s === 'yes').map(([t]) => t), ['dir', 'fs', 'netfs', 'rbd']);
  // Each type virtkit's pool XML accepts is listed, and supported.
  for (const t of POOL_TYPES) assert.ok(listed.some(([x, s]) => x === t && s === 'yes'), t);
  assert.deepEqual(values(xml, 'rbd', 'targetFormatType'), ['raw'], 'an rbd volume is a raw image');
  assert.deepEqual(values(xml, 'fs', 'sourceFormatType'), [...FS_POOL_FORMATS]);
  assert.deepEqual(values(xml, 'netfs', 'sourceFormatType'), ['auto', 'nfs']);
  assert.deepEqual(values(xml, 'dir', 'sourceFormatType'), []);
  for (const t of ['dir', 'fs', 'netfs']) {
    assert.ok(values(xml, t, 'targetFormatType').includes('qcow2'), t);
    assert.match(xml, new RegExp(`<pool type='${t}' supported='yes'>[\\s\\S]*?<volOptions>\\n      <defaultFormat type='raw'/>`));
  }
});
