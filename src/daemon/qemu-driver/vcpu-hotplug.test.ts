// Which vCPU a DEVICE_DELETED names: by its id (newer QEMU) or, as QEMU 7.2 sends it for an
// ejected vCPU, only by the QOM path of its lapic child; other devices are not vCPUs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deletedVcpu } from './vcpu-hotplug.js';

test('DEVICE_DELETED of a vCPU: by id, by its path or a child path (QEMU 7.2), nothing else', () => {
  assert.equal(deletedVcpu({ device: 'vcpu3', path: '/machine/peripheral/vcpu3' }), 3);
  assert.equal(deletedVcpu({ path: '/machine/peripheral/vcpu1/lapic' }), 1);
  assert.equal(deletedVcpu({ path: '/machine/peripheral/vcpu12' }), 12);
  assert.equal(deletedVcpu({ device: 'virtio-disk1', path: '/machine/peripheral/virtio-disk1/virtio-backend' }), undefined);
  assert.equal(deletedVcpu({ path: '/machine/peripheral/vcpu1x' }), undefined);
  assert.equal(deletedVcpu({ device: 'vcpu' }), undefined);
});
