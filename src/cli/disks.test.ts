// attach-disk's <disk> against what virsh 9.0 prints with --print-xml for the same options
// (captured from `virsh -c test:///default attach-disk ... --print-xml`), and the impact flags.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attachDiskXml, diskImpactOf } from './disks.js';

test('attach-disk builds the <disk> virsh builds', () => {
  assert.equal(attachDiskXml({ source: '/tmp/a.img', target: 'vdb' }), "<disk type='file'>\n  <source file='/tmp/a.img'/>\n  <target dev='vdb'/>\n</disk>\n");
  assert.equal(attachDiskXml({ source: '/tmp/a.img', target: 'vdb', subdriver: 'qcow2', driver: 'qemu', targetbus: 'virtio', mode: 'readonly', cache: 'none' }),
    "<disk type='file'>\n  <driver name='qemu' type='qcow2' cache='none'/>\n  <source file='/tmp/a.img'/>\n  <target dev='vdb' bus='virtio'/>\n  <readonly/>\n</disk>\n");
  assert.equal(attachDiskXml({ source: '/tmp/a.img', target: 'vdb', type: 'cdrom', sourcetype: 'block', mode: 'shareable' }),
    "<disk type='block' device='cdrom'>\n  <source dev='/tmp/a.img'/>\n  <target dev='vdb'/>\n  <shareable/>\n</disk>\n");
  assert.match(attachDiskXml({ source: "/a'b<c.img", target: 'vdb' }), /<source file='\/a&apos;b&lt;c\.img'\/>/);
  assert.throws(() => attachDiskXml({ source: '/a', target: 'vdb', mode: 'rw' }), /No support for rw in command 'attach-disk'/);
  assert.throws(() => attachDiskXml({ source: '/a', target: 'vdb', sourcetype: 'network' }), /Unknown source type: 'network'/);
});

test('--current excludes --live, --config and --persistent; --persistent passes through', () => {
  assert.deepEqual(diskImpactOf({ persistent: true, config: false, live: false, current: false }), { persistent: true });
  assert.deepEqual(diskImpactOf({ config: true, live: true, current: false }), { config: true, live: true });
  assert.throws(() => diskImpactOf({ persistent: true, config: false, live: false, current: true }), /Options --current and --persistent are mutually exclusive/);
});
