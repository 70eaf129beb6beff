import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SnapshotInfo } from '../client/types.js';
import { CliError } from './framework.js';
import { jobLines, snapshotTree, snapshotXmlFromArgs } from './snapshots.js';

const snap = (name: string, parent: string | null): SnapshotInfo => ({
  name, domain: 'test', creationTime: 0, state: 'running', parent, current: false, children: 0, descendants: 0, location: 'internal', description: null,
});

describe('snapshot output shapes', () => {
  it('draws snapshot-list --tree as virsh 9.0 does', () => {
    // virsh -c test:///default: create a b c, revert a, create d e, revert b, create f; snapshot-list test --tree.
    const snaps = [snap('a', null), snap('b', 'a'), snap('c', 'b'), snap('d', 'a'), snap('e', 'd'), snap('f', 'b')];
    assert.equal(snapshotTree(snaps), ['a', '  |', '  +- b', '  |   |', '  |   +- c', '  |   +- f', '  |     ', '  +- d', '      |', '      +- e', '        '].join('\n'));
    // Two childless roots: each ends with an empty line (libvirt's vshTreePrintInternal, devid == lastdev for a root).
    assert.equal(snapshotTree([snap('x', null), snap('y', null)]), 'x\n\ny\n');
    assert.equal(snapshotTree([]), '');
  });

  it('builds snapshot-create-as XML from its options, escaped', () => {
    assert.equal(snapshotXmlFromArgs({ name: 's<1>', description: "it's" }), "<domainsnapshot>\n  <name>s&lt;1&gt;</name>\n  <description>it&apos;s</description>\n</domainsnapshot>");
    assert.equal(snapshotXmlFromArgs({ diskspec: ['vda,snapshot=external,file=/i/o.qcow2'] }),
      "<domainsnapshot>\n  <disks>\n    <disk name='vda' snapshot='external'><source file='/i/o.qcow2'/></disk>\n  </disks>\n</domainsnapshot>");
    assert.equal(snapshotXmlFromArgs({ diskspec: ['vdb,snapshot=no'] }), "<domainsnapshot>\n  <disks>\n    <disk name='vdb' snapshot='no'/>\n  </disks>\n</domainsnapshot>");
  });

  it('takes one --diskspec per disk (commas in a value doubled, as virsh) and a --memspec', () => {
    assert.equal(snapshotXmlFromArgs({ diskspec: ['vda,snapshot=external,driver=qcow2,file=/i/a,,b.qcow2', 'vdb,snapshot=no', 'vdc,stype=block,file=/dev/x'] }), [
      '<domainsnapshot>', '  <disks>',
      "    <disk name='vda' snapshot='external'><driver type='qcow2'/><source file='/i/a,b.qcow2'/></disk>",
      "    <disk name='vdb' snapshot='no'/>",
      "    <disk name='vdc' type='block'><source dev='/dev/x'/></disk>",
      '  </disks>', '</domainsnapshot>',
    ].join('\n'));
    assert.equal(snapshotXmlFromArgs({ name: 'm', memspec: '/s/mem,snapshot=external' }), "<domainsnapshot>\n  <name>m</name>\n  <memory snapshot='external' file='/s/mem'/>\n</domainsnapshot>");
    assert.equal(snapshotXmlFromArgs({ memspec: 'snapshot=no' }), "<domainsnapshot>\n  <memory snapshot='no'/>\n</domainsnapshot>");
    const bad = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => e instanceof CliError && re.test(e.message));
    bad(() => snapshotXmlFromArgs({ diskspec: ['vda,size=1'] }), /unable to parse diskspec: vda,size=1/);
    bad(() => snapshotXmlFromArgs({ diskspec: ['vda,file=/a,file=/b'] }), /unable to parse diskspec/);
    bad(() => snapshotXmlFromArgs({ diskspec: ['vda,stype=network'] }), /Unknown storage type: 'network'/);
    bad(() => snapshotXmlFromArgs({ memspec: '/m,mode=x' }), /unable to parse memspec/);
  });

  it('shows block job progress as virsh blockjob --info does', () => {
    assert.deepEqual(jobLines({ disk: 'vda', jobs: [
      { id: 'vk-commit-virtio-disk0', type: 'commit', status: 'running', done: 42, total: 100 },
      { id: 'vk-pull-virtio-disk0', type: 'stream', status: 'running', done: 0, total: 0 },
    ] }), ['Block Commit: [ 42 %]', 'Block Pull: [100 %]']);
  });
});
