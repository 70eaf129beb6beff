import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fakePci, TWO_NIC_HOST, type FakePci } from '../../../tests/helpers/fake-pci.js';
import { fakeUsb, USB_HOST } from '../../../tests/helpers/fake-usb.js';
import { listUsbDevices } from './read.js';

describe('host USB devices from sysfs (fake tree)', () => {
  let pci: FakePci;
  before(async () => {
    pci = await fakePci(TWO_NIC_HOST);
    await fakeUsb(USB_HOST, pci.root);
  });
  after(() => pci.remove());

  it('reads every device (root hubs included, interfaces skipped), sorted by bus and device', async () => {
    const all = await listUsbDevices(pci.root);
    assert.deepEqual(all.map((d) => `${d.sysname} ${d.bus}/${d.device} ${d.vendor.toString(16)}:${d.product.toString(16)} < ${d.parent ?? '-'}`), [
      'usb1 1/1 1d6b:2 < pci_0000_00_14_0', '1-1 1/2 781:5567 < usb_usb1', '1-2 1/3 46d:c52b < usb_usb1',
      'usb2 2/1 1d6b:2 < pci_0000_00_1d_0', '2-1 2/2 5e3:610 < usb_usb2', '2-1.4 2/3 46d:c52b < usb_2_1', '2-2 2/5 1d50:6089 < usb_usb2',
    ]);
    const stick = all.find((d) => d.sysname === '1-1');
    assert.deepEqual(stick, {
      sysname: '1-1', path: '/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1', parent: 'usb_usb1', bus: 1, device: 2,
      vendor: 0x0781, product: 0x5567, vendorName: 'SanDisk', productName: 'Cruzer Blade', speed: '480', driver: 'usb',
    });
    const bare = all.find((d) => d.sysname === '2-2');
    assert.deepEqual([bare?.vendorName, bare?.productName], [null, null]);
  });

  it('finds nothing under a root without sys/bus/usb', async () => {
    const empty = await fakePci({ devices: [] });
    try {
      assert.deepEqual(await listUsbDevices(empty.root), []);
    } finally {
      await empty.remove();
    }
  });
});
