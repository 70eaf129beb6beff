import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GENERIC_LIST_ENTRY, osinfoListLine, osinfoQueryTable, virtInstallOsOrder, type OsListEntry } from './list.js';

const os = (...shortIds: string[]): OsListEntry => ({ id: `http://example.org/${shortIds[0] ?? ''}`, shortIds, name: shortIds[0] ?? '', version: null, family: 'linux' });

test('virt-install\'s list_os order: natural, numbers in reverse, case-insensitive text, stable', () => {
  const input = [os('debian9'), os('Fedora37'), os('debian11'), os('debian10'), GENERIC_LIST_ENTRY, os('gentoo'), os('centos7.0'), os('centos-stream9'),
    os('win2k22'), os('win2k3r2'), os('win2k3'), os('win10'), os('fedora-rawhide'), os('6x'), os('debian11', 'debianbullseye-2')];
  assert.deepEqual(virtInstallOsOrder(input).map((o) => o.shortIds[0]), [
    // Python's sorted() with virt-install's alphanum_key over the same names gives this.
    '6x', 'centos7.0', 'centos-stream9', 'debian11', 'debian11', 'debian10', 'debian9', 'Fedora37', 'fedora-rawhide', 'generic', 'gentoo',
    'win10', 'win2k22', 'win2k3', 'win2k3r2',
  ]);
});

test('a list line is the short-ids, deduplicated and sorted by code point, joined with ", "', () => {
  assert.equal(osinfoListLine(os('debian6', 'debiansqueeze', 'debian6.0', 'debian6')), 'debian6, debian6.0, debiansqueeze');
  assert.equal(osinfoListLine(GENERIC_LIST_ENTRY), 'generic');
});

test('osinfo-query os: padded by bytes as C does, longer values not cut, strcmp order, no generic', () => {
  const t = osinfoQueryTable([os('b1'), GENERIC_LIST_ENTRY, { ...os('a-é'), name: 'É'.repeat(20), version: '1' }, { ...os('B'), id: 'x'.repeat(45) }]);
  const rows = t.split('\n');
  assert.equal(rows.length, 6);
  assert.deepEqual(rows.slice(2, 5).map((r) => r.slice(1, 4)), ['B  ', 'a-é', 'b1 ']);
  assert.equal(rows[3], ` a-é${' '.repeat(16)} | ${'É'.repeat(20)}${' '.repeat(10)} | 1${' '.repeat(7)} | http://example.org/a-é${' '.repeat(17)}`);
  assert.ok(rows[2]?.endsWith(` | ${'x'.repeat(45)}`));
});
