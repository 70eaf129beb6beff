import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GENERIC_LIST_ENTRY, osinfoListLine, virtInstallOsOrder, type OsListEntry } from './list.js';

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
