import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { needsShared, requireSharedSet } from '../../../../tests/helpers/shared-cases.js';
import { VirtkitError } from '../../errors.js';
import { checkNetworkXml, formatNetworkXml, networkProblems, parseNetworkXml } from './index.js';

/** Samples virtkit refuses at parse time, with the path and why. */
const REFUSED: Record<string, { path: string; why: string }> = {
  // libvirt's parser reads network XML by XPath and ignores what it does not ask for;
  // <dhcp><option> is not in libvirt's network schema. virtkit refuses what it would ignore.
  'netboot-network.xml': { path: '/network/ip/dhcp/option', why: 'not in libvirt network schema' },
};

/** Samples that parse and round-trip but break a rule virtkit checks at define time, with the path. */
const INVALID: Record<string, string[]> = {
  // An old libvirt sample: a passthrough network with an <ip> (libvirt refuses it at define time too).
  'passthrough-pf.xml': ['/network/ip'],
};

function roundTrip(xml: string): void {
  const first = parseNetworkXml(xml);
  const text = formatNetworkXml(first);
  const second = parseNetworkXml(text);
  assert.deepEqual(second, first);
  assert.equal(formatNetworkXml(second), text);
}

function xmlFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.xml')).sort();
}

describe('network XML round-trip over libvirt samples (other/network)', needsShared('other'), () => {
  const dir = join(requireSharedSet('other'), 'network');
  const files = xmlFiles(dir);
  test('there are 10 samples, and every listed one is among them', () => {
    assert.equal(files.length, 10);
    for (const f of [...Object.keys(REFUSED), ...Object.keys(INVALID)]) assert.ok(files.includes(f), `${f} is listed but is not a sample`);
  });
  for (const f of files) {
    const xml = readFileSync(join(dir, f), 'utf8');
    const refused = REFUSED[f];
    test(`network ${refused ? 'refused' : 'round-trip'}: ${f}`, () => {
      if (refused) {
        assert.throws(() => parseNetworkXml(xml), (e: unknown) => e instanceof VirtkitError && e.code === 'XML_UNSUPPORTED' && e.details?.['path'] === refused.path);
        assert.deepEqual(checkNetworkXml(xml).map((e) => e.details?.['path']), [refused.path]);
        return;
      }
      roundTrip(xml);
      assert.deepEqual(networkProblems(parseNetworkXml(xml)).map((e) => e.details?.['path']), INVALID[f] ?? []);
    });
  }
});

/**
 * libvirt's formatting, line by line: blank-insensitive, an empty <ip></ip> written as <ip/>, MACs
 * in lower case (libvirt formats them so; some inputs have upper case).
 */
function libvirtLines(xml: string): string[] {
  return xml
    .replace(/>\s*<\/ip>/g, '/>')
    .replace(/(<mac address=')([^']*)'/g, (_m, a: string, mac: string) => `${a}${mac.toLowerCase()}'`)
    .split('\n')
    .map((l) => l.trim().replace(/\s+\/>$/, '/>'))
    .filter((l) => l !== '');
}

describe('network XML round-trip over the dnsmasq cases (network-dnsmasq)', needsShared('network-dnsmasq'), () => {
  const dir = requireSharedSet('network-dnsmasq');
  for (const f of xmlFiles(dir)) {
    const xml = readFileSync(join(dir, f), 'utf8');
    test(`network round-trip: ${f}`, () => {
      roundTrip(xml);
      assert.deepEqual(checkNetworkXml(xml), []);
    });
    // Files in libvirt's own output style (single quotes) must come back as libvirt writes them;
    // the hand-written ones (double quotes) need only round-trip.
    if (!xml.includes('"')) {
      test(`network formatted as libvirt does: ${f}`, () => {
        assert.deepEqual(libvirtLines(formatNetworkXml(parseNetworkXml(xml))), libvirtLines(xml));
      });
    }
  }
});
