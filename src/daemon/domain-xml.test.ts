import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isVirtkitError } from '../core/errors.js';
import { formatDomain, parseDomain, prepareDomain, summarizeDomain } from './domain-xml.js';

const XML = `<domain type='kvm'>
  <name>vm1</name>
  <title>A &amp; B</title>
  <memory unit='MiB'>512</memory>
  <vcpu placement='static'>2</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
  </os>
  <devices>
    <disk type='file' device='disk'>
      <source file='/var/lib/a,b.qcow2'/>
    </disk>
  </devices>
</domain>
`;

const code = (c: string) => (e: unknown) => isVirtkitError(e) && e.code === c;

describe('domain XML adapter', () => {
  it('parses, fills a uuid after <name>, formats, and round-trips', () => {
    const def = prepareDomain(parseDomain(XML), { randomUuid: () => '6695eb01-f6a4-8304-79aa-97f2502e193f' });
    const out = formatDomain(def);
    assert.match(out, /<name>vm1<\/name>\n {2}<uuid>6695eb01-f6a4-8304-79aa-97f2502e193f<\/uuid>\n/);
    assert.equal(formatDomain(parseDomain(out)), out);
    assert.match(formatDomain(def, { id: 3 }), /^<domain type='kvm' id='3'>/);
  });

  it('summarizes what list and dominfo show', () => {
    const def = prepareDomain(parseDomain(XML));
    const s = summarizeDomain(def);
    assert.equal(s.name, 'vm1');
    assert.equal(s.type, 'kvm');
    assert.equal(s.osType, 'hvm');
    assert.equal(s.vcpus, 2);
    assert.equal(s.maxMemoryKiB, 524288);
    assert.equal(s.currentMemoryKiB, 524288);
    assert.equal(s.title, 'A & B');
  });

  it('keeps an existing uuid, normalized', () => {
    const def = prepareDomain(parseDomain(XML.replace('<name>vm1</name>', '<name>vm1</name><uuid>6695EB01F6A4830479AA97F2502E193F</uuid>')));
    assert.equal(def.uuid, '6695eb01-f6a4-8304-79aa-97f2502e193f');
  });

  it('refuses broken documents with precise codes', () => {
    assert.throws(() => parseDomain('garbage'), code('INVALID_XML'));
    assert.throws(() => parseDomain('<domain type="kvm"><name>x</name>'), code('INVALID_XML'));
    assert.throws(() => parseDomain('<!DOCTYPE d [<!ENTITY e "x">]><domain type="kvm"><name>&e;</name></domain>'), code('INVALID_XML'));
    assert.throws(() => parseDomain('<network/>'), code('INVALID_XML'));
    assert.throws(() => parseDomain('<domain><name>x</name></domain>'), code('XML_MISSING'));
    assert.throws(() => parseDomain('<domain type="kvm"/>'), code('XML_MISSING'));
    assert.throws(() => parseDomain('<domain type="kvm"><name>x</name><uuid>nope</uuid></domain>'), code('XML_INVALID_VALUE'));
  });
});
