import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prep, prepFails } from '../../../../../tests/helpers/domain-defaults.js';

const tablet = `<input type='tablet' bus='usb'/>`;
const usbDisk = `<disk device='disk'><target dev='sdb' bus='usb'/></disk>`;
const usbHost = `<hostdev mode='subsystem' type='usb'><source><address bus='1' device='2'/></source></hostdev>`;

test('USB devices take ports 1 up in libvirt order: host devices, disks, inputs', () => {
  const d = prep(`${tablet}${usbDisk}${usbHost}`, 'q35');
  assert.deepEqual(d.devices?.hostdev?.[0]?.address, { type: 'usb', bus: 0, port: '1' });
  assert.deepEqual(d.devices?.disk?.[0]?.address, { type: 'usb', bus: 0, port: '2' });
  assert.deepEqual(d.devices?.input?.[0]?.address, { type: 'usb', bus: 0, port: '3' });
  assert.equal(d.devices?.disk?.[0]?.alias?.name, 'usb-disk1');
});

test('explicit USB ports are kept and skipped', () => {
  const d = prep(`<input type='tablet' bus='usb'><address type='usb' bus='0' port='1'/></input>${usbDisk}`);
  assert.deepEqual(d.devices?.disk?.[0]?.address, { type: 'usb', bus: 0, port: '2' });
});

test('USB errors: no room on piix3-uhci, USB disabled, two devices on one port', () => {
  prepFails(`${tablet}${tablet}${tablet}`, 'ADDRESS_CONFLICT', /input\[3\]: no free USB port/);
  prepFails(`<controller type='usb' model='none'/>${tablet}`, 'XML_CONFLICT', /input: USB is disabled/);
  prepFails(`<input type='tablet' bus='usb'><address type='usb' bus='0' port='1'/></input><input type='tablet' bus='usb'><address type='usb' bus='0' port='1'/></input>`, 'ADDRESS_CONFLICT', /input\[2\]\/address: USB port 0\.1 is already used by \/domain\/devices\/input\[1\]/);
  prepFails(`<input type='tablet' bus='usb'><address type='usb' bus='0' port='3'/></input>`, 'ADDRESS_CONFLICT', /ports 1-2, not 3/);
});

test('ICH9 USB2 companions share one index, one PCI slot (EHCI .7, UHCI .0-.2) and the EHCI\'s 6 ports', () => {
  const d = prep(`<controller type='usb' model='ich9-ehci1'/><controller type='usb' model='ich9-uhci1'><master startport='0'/></controller>
    <controller type='usb' model='ich9-uhci2'><master startport='2'/></controller><controller type='usb' model='ich9-uhci3'><master startport='4'/></controller>
    ${tablet}${tablet}${tablet}`, 'q35');
  const usb = (d.devices?.controller ?? []).filter((c) => c.type === 'usb');
  assert.deepEqual(usb.map((c) => [c.model, c.index, c.address?.type === 'pci' ? `${c.address.bus}:${c.address.slot.toString(16)}.${c.address.function}` : '-']), [
    ['ich9-ehci1', 0, '0:1d.7'],
    ['ich9-uhci1', 0, '0:1d.0'],
    ['ich9-uhci2', 0, '0:1d.1'],
    ['ich9-uhci3', 0, '0:1d.2'],
  ]);
  assert.equal(usb[1]?.address?.type === 'pci' && usb[1].address.multifunction, true);
  assert.deepEqual(d.devices?.input?.slice(0, 3).map((i) => i.address?.type === 'usb' && i.address.port), ['1', '2', '3']);
});
