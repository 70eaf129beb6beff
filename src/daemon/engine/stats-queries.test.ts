import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDomain } from '../domain-xml.js';
import { blockFigures } from './stats-queries.js';

test('block figures are matched to disks by alias, whatever name QEMU gives the device', () => {
  const def = parseDomain(`<domain type='qemu'><name>x</name><memory>1024</memory><devices>
    <disk type='file'><source file='/a.img'/><target dev='vda'/><alias name='virtio-disk0'/></disk>
    <disk type='file' device='cdrom'><target dev='hdc'/><alias name='ide0-1-0'/></disk>
    <disk type='block'><source dev='/dev/sdb'/><target dev='sda'/><alias name='scsi0-0-0-0'/></disk></devices></domain>`);
  const s = (device: string, n: number) => ({ device, rdReqs: n, rdBytes: n, wrReqs: n, wrBytes: n, flReqs: n, rdTimesNs: n, wrTimesNs: n, flTimesNs: n });
  const rows = blockFigures(def, [s('/machine/peripheral/virtio-disk0/virtio-backend', 7), s('ide0-1-0', 3), s('/machine/peripheral/scsi0-0-0-0', 5)]);
  assert.deepEqual(rows.map((r) => [r.name, r.path, r.rdReqs, r.flTimesNs]), [['vda', '/a.img', 7, 7], ['hdc', null, 3, 3], ['sda', '/dev/sdb', 5, 5]]);
  assert.equal(blockFigures(def, [])[0]?.rdBytes, 0, 'a disk QEMU did not report has zeros');
});
