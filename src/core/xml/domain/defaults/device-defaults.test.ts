import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prep } from '../../../../../tests/helpers/domain-defaults.js';

test('disks get driver qemu/raw unless written; volumes are left to the pool', () => {
  const d = prep(`<disk type='file' device='disk'><driver type='qcow2'/><source file='/a'/><target dev='vda'/></disk>
    <disk type='file' device='cdrom'><target dev='hdc'/></disk><disk type='volume' device='disk'><source pool='p' volume='v'/><target dev='vdb'/></disk>`);
  assert.deepEqual(d.devices?.disk?.map((x) => x.driver), [{ type: 'qcow2', name: 'qemu' }, { name: 'qemu', type: 'raw' }, undefined]);
});

test('interface, input, vsock, tpm and mdev defaults', () => {
  const d = prep(`<interface type='user'/><interface type='vhostuser'><source type='unix' path='/s' mode='client'/></interface>
    <input type='tablet'/><vsock/><tpm><backend type='emulator'/></tpm>`);
  assert.deepEqual(d.devices?.interface?.map((n) => n.model?.type), ['rtl8139', 'virtio']);
  assert.equal(d.devices?.input?.[0]?.bus, 'usb');
  assert.equal(d.devices?.vsock?.model, 'virtio');
  assert.equal(d.devices?.tpm?.[0]?.model, 'tpm-tis');
  assert.equal(d.devices?.tpm?.[0]?.backend?.version, '1.2');
});

test('audio follows the graphics: spice brings its own, VNC and headless get none', () => {
  assert.deepEqual(prep(`<graphics type='spice'/>`).devices?.audio, [{ id: 1, type: 'spice' }]);
  assert.deepEqual(prep(`<graphics type='vnc'/>`).devices?.audio, [{ id: 1, type: 'none' }]);
});

test("q35's built-in iTCO takes the action of a watchdog already there", () => {
  const d = prep(`<watchdog model='i6300esb' action='poweroff'/>`, 'q35');
  assert.deepEqual(d.devices?.watchdog?.map((w) => [w.model, w.action]), [['i6300esb', 'poweroff'], ['itco', 'poweroff']]);
});

test('machines without PCI (isapc) get no USB, balloon or PCI addresses', () => {
  const d = prep(`<interface type='user'/>`, 'isapc');
  assert.equal(d.devices?.memballoon, undefined);
  assert.equal(d.devices?.controller, undefined);
  assert.equal(d.devices?.interface?.[0]?.address, undefined);
});
