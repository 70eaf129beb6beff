import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadDomainCases, needsShared } from '../../../../tests/helpers/shared-cases.js';
import { checkDomainXml, formatDomainXml, parseDomainXml } from './index.js';

describe('round-trip over the libvirt reference cases', needsShared('domain'), () => {
  const cases = loadDomainCases();
  test('there are 36 libvirt reference cases', () => {
    assert.equal(cases.length, 36);
  });

  for (const c of cases) {
    test(`round-trip: ${c.name}`, () => {
      const xml = c.inputXml;
      const first = parseDomainXml(xml);
      const text = formatDomainXml(first);
      const second = parseDomainXml(text);
      assert.deepEqual(second, first);
      // Formatting is a fixed point after one pass.
      assert.equal(formatDomainXml(second), text);
      assert.deepEqual(checkDomainXml(xml), []);
    });
  }
});

test('round-trip keeps metadata verbatim and units normalized to KiB', () => {
  const xml = `<domain type='qemu'><name>m</name><memory unit='GiB'>2</memory><currentMemory unit='MiB'>512</currentMemory>
    <metadata><app:x xmlns:app='urn:app'><app:y k='v'>text &amp; more</app:y></app:x></metadata>
    <os><type>hvm</type></os></domain>`;
  const d = parseDomainXml(xml);
  assert.equal(d.memory?.value, 2 * 1024 * 1024);
  assert.equal(d.currentMemory?.value, 512 * 1024);
  const out = formatDomainXml(d);
  assert.match(out, /<memory unit='KiB'>2097152<\/memory>/);
  assert.match(out, /<app:y k='v'>text &amp; more<\/app:y>/);
  assert.deepEqual(parseDomainXml(out), d);
});
