import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prep, prepFails } from './test-helpers.js';

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
  prepFails(`<controller type='usb' model='none'/>${tablet}`, 'XML_CONFLICT', /input\[1\]: USB is disabled/);
  prepFails(`<input type='tablet' bus='usb'><address type='usb' bus='0' port='1'/></input><input type='tablet' bus='usb'><address type='usb' bus='0' port='1'/></input>`, 'ADDRESS_CONFLICT', /input\[2\]\/address: USB port 0\.1 is already used by \/domain\/devices\/input\[1\]/);
  prepFails(`<input type='tablet' bus='usb'><address type='usb' bus='0' port='3'/></input>`, 'ADDRESS_CONFLICT', /ports 1-2, not 3/);
});
