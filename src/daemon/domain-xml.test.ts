import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isVirtkitError } from '../core/errors.js';
import { formatDomain, parseDomain, prepareDomain, summarizeDomain } from './domain-xml.js';

const XML = `<domain type='kvm' id='7'>
  <name>vm1</name>
  <title>A &amp; B</title>
  <memory unit='MiB'>512</memory>
  <currentMemory unit='MiB'>256</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
  </os>
</domain>
`;

const code = (c: string) => (e: unknown) => isVirtkitError(e) && e.code === c;

describe('domain XML adapter', () => {
  it('parses (ignoring a runtime id), fills a uuid, formats with an id when asked, and round-trips', () => {
    const def = prepareDomain(parseDomain(XML));
    assert.match(def.uuid ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const out = formatDomain(def);
    assert.match(out, /^<domain type='kvm'>\n/);
    assert.equal(formatDomain(parseDomain(out)), out);
    assert.match(formatDomain(def, { id: 3 }), /^<domain type='kvm' id='3'>/);
  });

  it('stores definitions without device aliases (addresses and MACs stay), as libvirt persists them', () => {
    const def = prepareDomain(parseDomain(XML.replace('</os>', "</os><devices><disk type='file'><source file='/x.img'/><target dev='vda'/><alias name='virtio-disk0'/></disk><interface type='user'/></devices>")));
    const out = formatDomain(def);
    assert.doesNotMatch(out, /<alias /);
    assert.match(out, /<mac address='52:54:00:/);
    assert.match(out, /<address type='pci'/);
    assert.match(out, /<controller type='pci' index='0' model='pcie-root'\/>/);
  });

  it('summarizes what list and dominfo show', () => {
    const s = summarizeDomain(prepareDomain(parseDomain(XML)));
    assert.deepEqual({ ...s, uuid: '' }, {
      name: 'vm1', uuid: '', type: 'kvm', osType: 'hvm', vcpus: 2, maxMemoryKiB: 524288, currentMemoryKiB: 262144, title: 'A & B',
    });
  });

  it('refuses a summary of an unprepared definition', () => {
    assert.throws(() => summarizeDomain(parseDomain(XML)), code('INTERNAL_ERROR'));
  });

  it('passes the XML module\'s precise errors through', () => {
    assert.throws(() => parseDomain('garbage'), code('INVALID_XML'));
    assert.throws(() => parseDomain('<domain><name>x</name></domain>'), code('XML_MISSING'));
    assert.throws(() => parseDomain("<domain type='kvm'><name>x</name><bogus/></domain>"), code('XML_UNSUPPORTED'));
  });
});
