import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIsoIdentity, PVD_LENGTH } from './iso9660.js';
import { identifyMedia } from './media.js';
import { parseOsinfoXml, type RawOs } from './parse.js';
import { resolveOs } from './resolve.js';

const DB = `<?xml version="1.0"?>
<libosinfo version="0.0.1">
  <os id="http://example.org/base/1">
    <short-id>base1</short-id>
    <name>Base 1</name>
    <name xml:lang="de">Basis 1</name>
    <family>linux</family>
    <distro>base</distro>
    <version>1</version>
    <resources arch="all">
      <minimum><n-cpus>1</n-cpus><ram>536870912</ram></minimum>
      <recommended><ram>1073741824</ram><storage>10737418240</storage></recommended>
    </resources>
    <devices>
      <device id="http://pcisig.com/pci/1af4/1000"/>
      <device id="http://pcisig.com/pci/1af4/1001"/>
      <device id="http://qemu.org/chipset/x86/q35"/>
    </devices>
  </os>
  <os id="http://example.org/base/2">
    <short-id>base2</short-id>
    <short-id>basetwo</short-id>
    <name>Base 2</name>
    <family>linux</family>
    <derives-from id="http://example.org/base/1"/>
    <resources arch="all" inherit="true">
      <recommended><ram>2147483648</ram></recommended>
    </resources>
    <devices>
      <device id="http://pcisig.com/pci/1af4/1041"/>
      <device id="http://pcisig.com/pci/1af4/1001" supported="false"/>
    </devices>
    <media arch="x86_64">
      <iso><volume-id>Base 2\\.\\d+ amd64</volume-id><system-id>LINUX</system-id></iso>
      <kernel>install/vmlinuz</kernel>
      <initrd>install/initrd.gz</initrd>
    </media>
    <media arch="x86_64"><kernel>nothing/to/match</kernel></media>
  </os>
  <os id="http://example.org/rolling">
    <short-id>rolling</short-id>
    <name>Rolling</name>
    <family>linux</family>
    <release-status>rolling</release-status>
    <media arch="all"><iso><volume-id>Base</volume-id></iso></media>
  </os>
</libosinfo>`;

const oses = parseOsinfoXml(DB);
const byId = new Map<string, RawOs>(oses.map((o) => [o.id, o]));

test('osinfo XML: ids, untranslated name, relations and media are read', () => {
  const two = byId.get('http://example.org/base/2');
  assert.ok(two);
  assert.deepEqual(two.shortIds, ['base2', 'basetwo']);
  assert.equal(byId.get('http://example.org/base/1')?.name, 'Base 1');
  assert.deepEqual(two.derivesFrom, ['http://example.org/base/1']);
  assert.equal(two.media.length, 2);
  assert.equal(two.media[0]?.volumeId, 'Base 2\\.\\d+ amd64');
  assert.equal(byId.get('http://example.org/rolling')?.rolling, true);
});

test('osinfo inheritance: devices are the union over derives-from, minus supported="false" anywhere', () => {
  const two = byId.get('http://example.org/base/2');
  assert.ok(two);
  const os = resolveOs(two, byId);
  assert.deepEqual(os.devices.sort(), [
    'http://pcisig.com/pci/1af4/1000',
    'http://pcisig.com/pci/1af4/1041',
    'http://qemu.org/chipset/x86/q35',
  ]);
  assert.equal(os.shortId, 'base2');
  assert.equal(os.generic, false);
});

test('osinfo inheritance: inherit="true" resources take missing fields from the parent, same arch', () => {
  const two = byId.get('http://example.org/base/2');
  assert.ok(two);
  const os = resolveOs(two, byId);
  assert.deepEqual(os.recommendedResources, [{ arch: 'all', ram: 2147483648, storage: 10737418240, cpu: null, nCpus: null }]);
  assert.deepEqual(os.minimumResources, [{ arch: 'all', ram: 536870912, storage: null, cpu: null, nCpus: 1 }]);
  const one = byId.get('http://example.org/base/1');
  assert.ok(one);
  assert.deepEqual(resolveOs(one, byId).recommendedResources, [{ arch: 'all', ram: 1073741824, storage: 10737418240, cpu: null, nCpus: null }]);
});

function pvd(ids: { system: string; volume: string; publisher?: string; application?: string; blocks?: number }): Uint8Array {
  const b = new Uint8Array(PVD_LENGTH).fill(0x20);
  b[0] = 1;
  b.set(new TextEncoder().encode('CD001'), 1);
  const put = (off: number, len: number, s: string): void => b.set(new TextEncoder().encode(s.padEnd(len, ' ').slice(0, len)), off);
  put(8, 32, ids.system);
  put(40, 32, ids.volume);
  put(318, 128, ids.publisher ?? '');
  put(574, 128, ids.application ?? '');
  const v = new DataView(b.buffer);
  v.setUint32(80, ids.blocks ?? 10, true);
  v.setUint16(128, 2048, true);
  return b;
}

test('ISO identity: ids without padding and the volume size from the primary volume descriptor', () => {
  const id = parseIsoIdentity(pvd({ system: 'LINUX', volume: 'Base 2.4 amd64', application: 'APP', blocks: 7 }));
  assert.deepEqual(id, { systemId: 'LINUX', volumeId: 'Base 2.4 amd64', publisherId: '', applicationId: 'APP', volumeSize: 7 * 2048 });
  const notIso = pvd({ system: 'x', volume: 'y' });
  notIso[1] = 0x41;
  assert.equal(parseIsoIdentity(notIso), null);
  assert.equal(parseIsoIdentity(new Uint8Array(100)), null);
});

test('media identification: every given pattern must match; arch; empty entries never match; rolling last', () => {
  const id = (volume: string, system = 'LINUX') => {
    const r = parseIsoIdentity(pvd({ system, volume }));
    assert.ok(r);
    return r;
  };
  const hit = identifyMedia(id('Base 2.4 amd64'), oses, 'x86_64');
  assert.equal(hit?.os.id, 'http://example.org/base/2');
  assert.equal(hit?.media.kernel, 'install/vmlinuz');
  // system-id is also required by the entry
  assert.equal(identifyMedia(id('Base 2.4 amd64', 'WIN32'), oses, 'x86_64')?.os.id, 'http://example.org/rolling');
  // wrong arch: only the arch=all rolling entry is left
  assert.equal(identifyMedia(id('Base 2.4 amd64'), oses, 'aarch64')?.os.id, 'http://example.org/rolling');
  assert.equal(identifyMedia(id('Something else'), oses, 'x86_64'), null);
});
