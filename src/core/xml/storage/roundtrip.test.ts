import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { needsShared, requireSharedSet } from '../../../../tests/helpers/shared-cases.js';
import { VirtkitError } from '../../errors.js';
import { checkPoolXml, checkVolumeXml, formatPoolXml, formatVolumeXml, parsePoolXml, parseVolumeXml } from './index.js';

/** libvirt pool samples of types virtkit refuses: parsing must fail on /pool/@type, nothing else. */
const REFUSED_POOLS: Record<string, string> = {
  'pool-iscsi-auth.xml': 'iscsi',
  'pool-iscsi.xml': 'iscsi',
  'pool-logical-create.xml': 'logical',
  'pool-mpath.xml': 'mpath',
  'pool-scsi.xml': 'scsi',
  'pool-zfs.xml': 'zfs',
};

function xmlFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.xml')).sort().map((f) => join(dir, f));
}

function roundTrip<T>(xml: string, parse: (x: string) => T, format: (d: T) => string): void {
  const first = parse(xml);
  const text = format(first);
  const second = parse(text);
  assert.deepEqual(second, first);
  // Formatting is a fixed point after one pass.
  assert.equal(format(second), text);
}

function poolCase(file: string): void {
  const name = file.slice(file.lastIndexOf('/') + 1);
  const xml = readFileSync(file, 'utf8');
  const refused = REFUSED_POOLS[name];
  test(`pool ${refused ? 'refused' : 'round-trip'}: ${name}`, () => {
    if (refused) {
      assert.throws(
        () => parsePoolXml(xml),
        (e: unknown) => e instanceof VirtkitError && e.code === 'XML_UNSUPPORTED' && e.details?.['path'] === '/pool/@type' && e.message.includes(`'${refused}'`) && e.message.includes("'dir', 'fs', 'netfs', 'rbd'"),
      );
      assert.deepEqual(checkPoolXml(xml).map((e) => e.details?.['path']), ['/pool/@type']);
      return;
    }
    roundTrip(xml, parsePoolXml, formatPoolXml);
  });
}

function volumeCase(file: string): void {
  const name = file.slice(file.lastIndexOf('/') + 1);
  const xml = readFileSync(file, 'utf8');
  test(`volume round-trip: ${name}`, () => {
    roundTrip(xml, parseVolumeXml, formatVolumeXml);
    assert.deepEqual(checkVolumeXml(xml), []);
  });
}

describe('storage XML round-trip over libvirt samples (other/)', needsShared('other'), () => {
  const dir = requireSharedSet('other');
  const pools = xmlFiles(join(dir, 'storagepool'));
  const vols = xmlFiles(join(dir, 'storagevol'));
  test('there are 10 pool and 7 volume samples, and every refused one is among them', () => {
    assert.equal(pools.length, 10);
    assert.equal(vols.length, 7);
    const names = new Set(pools.map((p) => p.slice(p.lastIndexOf('/') + 1)));
    for (const r of Object.keys(REFUSED_POOLS)) assert.ok(names.has(r), `${r} is listed as refused but is not a sample`);
  });
  pools.forEach(poolCase);
  vols.forEach(volumeCase);
});

describe('storage XML round-trip over the qemu-img cases (storagevol-qemuimg/)', needsShared('storagevol-qemuimg'), () => {
  const dir = requireSharedSet('storagevol-qemuimg');
  const pools = xmlFiles(join(dir, 'pool'));
  const vols = xmlFiles(join(dir, 'vol'));
  test('there are 1 pool and 8 volume files', () => {
    assert.equal(pools.length, 1);
    assert.equal(vols.length, 8);
  });
  pools.forEach(poolCase);
  vols.forEach(volumeCase);
});
