import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diskNameToIndex, driveAddressFor } from './drive-address.js';
import { prep, prepFails } from '../../../../../tests/helpers/domain-defaults.js';

test('disk names map to indexes like virDiskNameToIndex', () => {
  assert.equal(diskNameToIndex('sda'), 0);
  assert.equal(diskNameToIndex('hdc'), 2);
  assert.equal(diskNameToIndex('vdz'), 25);
  assert.equal(diskNameToIndex('vdaa'), 26);
  assert.equal(diskNameToIndex('sdb1'), 1);
  assert.equal(diskNameToIndex('disk0'), undefined);
});

test('drive addresses per bus', () => {
  assert.deepEqual(driveAddressFor('ide', 2), { controller: 0, bus: 1, target: 0, unit: 0 });
  assert.deepEqual(driveAddressFor('ide', 3), { controller: 0, bus: 1, target: 0, unit: 1 });
  assert.deepEqual(driveAddressFor('sata', 1), { controller: 0, bus: 0, target: 0, unit: 1 });
  assert.deepEqual(driveAddressFor('sata', 7), { controller: 1, bus: 0, target: 0, unit: 1 });
  assert.deepEqual(driveAddressFor('scsi', 6), { controller: 0, bus: 0, target: 0, unit: 6 });
  assert.deepEqual(driveAddressFor('scsi', 7), { controller: 0, bus: 0, target: 0, unit: 8 }, 'unit 7 is the HBA');
  assert.deepEqual(driveAddressFor('scsi', 15), { controller: 1, bus: 0, target: 0, unit: 0 });
  assert.deepEqual(driveAddressFor('fdc', 1), { controller: 0, bus: 0, target: 0, unit: 1 });
  assert.equal(driveAddressFor('virtio', 0), undefined);
});

test('floppies go on fdc and unknown names on ide; CD-ROMs become read-only', () => {
  const d = prep(`<disk device='floppy'><target dev='fda'/></disk><disk device='cdrom'><target dev='hdc'/></disk>`);
  assert.deepEqual(d.devices?.disk?.map((x) => [x.target?.bus, x.readonly !== undefined]), [['fdc', false], ['ide', true]]);
  assert.equal(d.devices?.controller?.some((c) => c.type === 'fdc'), true);
});

test('buses come from the target name; scsi disks bring an lsilogic controller', () => {
  const d = prep(`<disk type='file' device='disk'><source file='/a'/><target dev='hdc'/></disk>
    <disk type='file' device='disk'><source file='/b'/><target dev='sdb'/></disk>`);
  const [ide, scsi] = d.devices?.disk ?? [];
  assert.equal(ide?.target?.bus, 'ide');
  assert.deepEqual(ide?.address, { type: 'drive', controller: 0, bus: 1, target: 0, unit: 0 });
  assert.equal(scsi?.target?.bus, 'scsi');
  assert.deepEqual(scsi?.address, { type: 'drive', controller: 0, bus: 0, target: 0, unit: 1 });
  const ctrl = d.devices?.controller?.find((c) => c.type === 'scsi');
  assert.equal(ctrl?.model, 'lsilogic');
});

test('drive address errors name the element', () => {
  prepFails(`<disk device='disk'><target dev='hda' bus='ide'/></disk>`, 'XML_CONFLICT', /disk.*q35 machine has no IDE/, 'q35');
  prepFails(`<disk device='disk'><target dev='vda' bus='virtio'/><address type='drive' controller='0' bus='0' target='0' unit='0'/></disk>`, 'XML_CONFLICT', /virtio disk cannot have an address of type 'drive'/);
  prepFails(`<disk device='disk'><target dev='hda' bus='ide'/><address type='pci' domain='0' bus='0' slot='5' function='0'/></disk>`, 'XML_CONFLICT', /needs a drive address/);
  prepFails(`<disk device='disk'><target dev='vda'/></disk><disk device='disk'><target dev='vda'/></disk>`, 'XML_DUPLICATE', /disk\[2\].*'vda' is already used by \/domain\/devices\/disk\[1\]/);
  prepFails(`<disk device='disk'><target dev='hda'/></disk><disk device='disk'><target dev='hdb'/><address type='drive' controller='0' bus='0' target='0' unit='0'/></disk>`, 'ADDRESS_CONFLICT', /disk\[2\].*already used by \/domain\/devices\/disk\[1\]/);
  prepFails(`<disk device='disk'><target dev='hde'/></disk>`, 'XML_CONFLICT', /single built-in ide controller/);
  prepFails(`<disk device='disk'><target dev='hda'/><address type='drive' controller='0' bus='0' target='0' unit='2'/></disk>`, 'ADDRESS_CONFLICT', /units 0-1, not 2/);
});

test('a sata disk on pc brings an AHCI controller on the first free PCI slot', () => {
  const d = prep(`<disk device='disk'><target dev='sdb' bus='sata'/></disk>`);
  const c = d.devices?.controller?.find((x) => x.type === 'sata');
  assert.deepEqual(c?.address, { type: 'pci', domain: 0, bus: 0, slot: 2, function: 0 });
  assert.equal(c?.alias?.name, 'sata0');
  assert.equal(d.devices?.disk?.[0]?.alias?.name, 'sata0-0-1');
});
