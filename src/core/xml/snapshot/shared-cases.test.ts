// libvirt's snapshot samples (shared other/snapshot/, from qemudomainsnapshotxml2xml{in,out}),
// compared the way libvirt's qemudomainsnapshotxml2xmltest.c does where the expected output is
// there: an in->out case parses in create mode with a mocked creation time and formats with the
// domain's UUID; an out->out case parses the record (redefine, plus <active> for "internal").
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { needsShared, requireSharedSet } from '../../../../tests/helpers/shared-cases.js';
import { VirtkitError } from '../../errors.js';
import type { SnapshotMode } from './index.js';
import { formatSnapshotXml, parseSnapshotXml, snapshotDefaults, validateSnapshot } from './index.js';

const UUID = '9d37b878-a7cc-9f9a-b78f-49b3abad25a8';

function prepared(xml: string, mode: SnapshotMode, now?: number) {
  const def = snapshotDefaults(parseSnapshotXml(xml), now === undefined ? { mode } : { mode, now });
  validateSnapshot(def, mode);
  return def;
}

describe('libvirt snapshot samples', needsShared('other'), () => {
  const dir = join(requireSharedSet('other'), 'snapshot');
  const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
  const inputs = readdirSync(dir).filter((n) => n.endsWith('.xml')).sort();
  const outputs = readdirSync(join(dir, 'out')).filter((n) => n.endsWith('.xml')).sort().map((n) => `out/${n}`);

  test('the set is the one these tests cover (4 inputs, 3 outputs)', () => {
    assert.deepEqual(inputs, ['disk_snapshot.xml', 'external_vm.xml', 'noparent.xml', 'qcow2-metadata-cache.xml']);
    assert.deepEqual(outputs, ['out/empty.xml', 'out/external_vm.xml', 'out/noparent_nodescription.xml']);
  });

  for (const name of [...inputs, ...outputs]) {
    test(`round-trip: ${name}`, () => {
      const first = parseSnapshotXml(read(name));
      const text = formatSnapshotXml(first);
      const second = parseSnapshotXml(text);
      assert.deepEqual(second, first);
      assert.equal(formatSnapshotXml(second), text, 'formatting is a fixed point after one pass');
      // Each sample is valid as libvirt's test reads it: the outputs as records, the inputs for create.
      const mode: SnapshotMode = name.startsWith('out/') ? 'redefine' : 'create';
      if (name !== 'out/empty.xml' && name !== 'out/external_vm.xml') prepared(read(name), mode, 1);
    });
  }

  test('in->out empty: a name from the creation time, and <domain><uuid>', () => {
    const def = prepared('<domainsnapshot/>', 'create', 1386166249);
    assert.equal(formatSnapshotXml(def, { domainUuid: UUID }), read('out/empty.xml'));
  });

  test("in->out external_vm: the input's state and parent are the snapshot's record, set when it is taken", () => {
    const def = prepared(read('external_vm.xml'), 'create', 1555419243);
    assert.equal(formatSnapshotXml(def), read('out/external_vm.xml'));
  });

  test('out->out noparent_nodescription (internal: with <active>)', () => {
    assert.equal(formatSnapshotXml(prepared(read('out/noparent_nodescription.xml'), 'metadata')), read('out/noparent_nodescription.xml'));
  });

  test('in->out noparent (running): state, creationTime and domain come from the snapshot, not the input', () => {
    const def = prepared(read('noparent.xml'), 'create', 1272917631);
    assert.equal(def.state, undefined);
    def.state = 'running'; // libvirt's TEST_RUNNING
    const expected = read('out/noparent_nodescription.xml').replace('  <active>1</active>\n', `  <domain>\n    <uuid>${UUID}</uuid>\n  </domain>\n`);
    assert.equal(formatSnapshotXml(def, { domainUuid: UUID }), expected);
  });

  test('in->out qcow2-metadata-cache: driver before source, the cache size in bytes', () => {
    const def = prepared(read('qcow2-metadata-cache.xml'), 'create', 1386166249);
    const out = formatSnapshotXml(def, { domainUuid: UUID });
    assert.match(
      out,
      /<creationTime>1386166249<\/creationTime>\n {2}<disks>\n {4}<disk name='hdd' snapshot='external' type='file'>\n {6}<driver type='qcow2'>\n {8}<metadata_cache>\n {10}<max_size unit='bytes'>1234<\/max_size>\n {8}<\/metadata_cache>\n {6}<\/driver>\n {6}<source file='\/path\/to\/new'\/>\n {4}<\/disk>\n {2}<\/disks>\n {2}<domain>\n {4}<uuid>9d37b878/,
    );
  });

  test('disk_snapshot: a disk with a file or a format is external and of type file; the others keep what they say', () => {
    const disks = prepared(read('disk_snapshot.xml'), 'create', 1555419243).disks?.disk ?? [];
    assert.deepEqual(
      disks.map((d) => [d.name, d.snapshot, d.type, d.driver?.type, d.source?.file ?? d.source?.dev ?? d.source?.name]),
      [
        ['/dev/HostVG/QEMUGuest1', undefined, undefined, undefined, undefined],
        ['hdb', 'no', undefined, undefined, undefined],
        ['hdc', 'internal', undefined, undefined, undefined],
        ['hdd', 'external', 'file', 'qed', undefined],
        ['hde', 'external', 'file', undefined, '/path/to/new'],
        ['hde', 'external', 'file', undefined, '/path/to/new2'],
        ['hdf', 'external', 'block', undefined, '/path/to/new3'],
        ['hdg', 'external', 'network', undefined, 'volume/path'],
        ['hdh', 'external', 'network', undefined, 'vol/name'],
      ],
    );
    assert.equal(disks[8]?.source?.host?.[1]?.transport, 'rdma');
  });

  test('a create-only sample is not a record: redefining it needs a state', () => {
    assert.throws(
      () => prepared(read('external_vm.xml').replace('<state>running</state>', ''), 'redefine'),
      (e: unknown) => e instanceof VirtkitError && e.code === 'XML_MISSING' && /\/domainsnapshot\/creationTime: a redefined snapshot must have a <creationTime>/.test(e.message),
    );
  });
});
