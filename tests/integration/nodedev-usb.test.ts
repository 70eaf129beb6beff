/**
 * USB host devices through the whole stack (CLI, client, REST, engine, src/host/usb) against a
 * fake USB tree (tests/helpers/fake-usb.ts) inside a fake PCI tree that holds its controllers.
 * This host has no USB device and cannot make one: the start with real QEMU shows what QEMU
 * 7.2 says when the device node of the resolved device does not exist.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PciHost } from '../../src/host/pci/bind.js';
import { fakePci, TWO_NIC_HOST, type FakePci } from '../helpers/fake-pci.js';
import { fakeUsb, USB_HOST } from '../helpers/fake-usb.js';
import { cli, domainXml, inProcessDaemon } from './daemon-harness.js';

const CONTROLLERS = [
  { address: '0000:00:14.0', class: 0x0c0330, vendor: 0x8086, device: 0xa36d, driver: 'xhci_hcd', iommuGroup: 5 },
  { address: '0000:00:1d.0', class: 0x0c0320, vendor: 0x8086, device: 0x1e26, driver: 'ehci-pci', iommuGroup: 6 },
];
const hostdev = (source: string): string => `  <devices>\n    <hostdev mode='subsystem' type='usb' managed='yes'><source>${source}</source></hostdev>\n  </devices>\n`;
const STICK = "<vendor id='0x0781'/><product id='0x5567'/>";

describe('USB host devices against a daemon on a fake USB tree', () => {
  let pci: FakePci;
  before(async () => {
    pci = await fakePci({ devices: [...TWO_NIC_HOST.devices, ...CONTROLLERS] });
    await fakeUsb(USB_HOST, pci.root);
  });
  after(() => pci.remove());
  const nodedevs = (): { pci: PciHost; ip: () => Promise<string> } => ({ pci: new PciHost({ root: pci.root, write: pci.write }), ip: () => Promise.reject(new Error('no ip in this test')) });

  it('nodedev-list --cap usb_device and --tree, nodedev-dumpxml usb_1_1, domxml-to-native with the device resolved', async () => {
    const d = await inProcessDaemon({ nodedevs: nodedevs() });
    try {
      const ok = async (argv: string[], stdout: string): Promise<void> => assert.deepEqual(await cli(d.root, argv), { code: 0, stdout, stderr: '' }, argv.join(' '));
      await ok(['nodedev-list', '--cap', 'usb_device'], 'usb_1_1\nusb_1_2\nusb_2_1\nusb_2_1_4\nusb_2_2\nusb_usb1\nusb_usb2\n\n');
      const tree = await cli(d.root, ['nodedev-list', '--tree']);
      assert.match(tree.stdout, /\n {2}\+- pci_0000_00_1d_0\n {2}\| {3}\|\n {2}\| {3}\+- usb_usb2\n {2}\| {7}\|\n {2}\| {7}\+- usb_2_1\n {2}\| {7}\| {3}\|\n {2}\| {7}\| {3}\+- usb_2_1_4\n/);
      await ok(['nodedev-dumpxml', 'usb_1_1'], `<device>
  <name>usb_1_1</name>
  <path>/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1</path>
  <devnode type='dev'>/dev/bus/usb/001/002</devnode>
  <parent>usb_usb1</parent>
  <driver>
    <name>usb</name>
  </driver>
  <capability type='usb_device'>
    <bus>1</bus>
    <device>2</device>
    <product id='0x5567'>Cruzer Blade</product>
    <vendor id='0x0781'>SanDisk</vendor>
  </capability>
</device>

`);
      await writeFile(join(d.root, 'u.xml'), domainXml('u', hostdev(STICK)));
      const r = await cli(d.root, ['domxml-to-native', 'qemu-argv', 'u.xml']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /-device '\{"driver":"usb-host","hostdevice":"\/dev\/bus\/usb\/001\/002","id":"hostdev0","bus":"usb\.0","port":"1"\}'/);
      await writeFile(join(d.root, 'two.xml'), domainXml('two', hostdev("<vendor id='0x046d'/><product id='0xc52b'/>")));
      const two = await cli(d.root, ['domxml-to-native', 'qemu-argv', 'two.xml']);
      assert.equal(two.code, 1);
      assert.match(two.stderr, /Multiple USB devices for 46d:c52b, use <address> to specify one/);
    } finally {
      await d.close();
    }
  });

  it("a start with real QEMU: the device is resolved and claimed, QEMU cannot open its node here (QEMU_FAILED quoting QEMU), the claim is given back", { timeout: 60_000 }, async () => {
    const d = await inProcessDaemon({ nodedevs: nodedevs() });
    try {
      await writeFile(join(d.root, 'u.xml'), domainXml('u', hostdev(STICK)));
      assert.equal((await cli(d.root, ['define', 'u.xml'])).code, 0);
      for (let i = 0; i < 2; i++) {
        // The second time shows the claim was given back: no "in use by domain 'u'".
        const r = await cli(d.root, ['start', 'u']);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /failed to open \/dev\/bus\/usb\/001\/002: No such file or directory/);
      }
      assert.match((await cli(d.root, ['domstate', 'u'])).stdout, /^shut off/);
      const json = await cli(d.root, ['--json', 'start', 'u']);
      const err = (JSON.parse(json.stderr) as { error: { code: string; message: string } }).error;
      assert.equal(err.code, 'QEMU_FAILED');
      assert.match(err.message, /^QEMU exited with code 1 while starting: .*-device \{"driver":"usb-host","hostdevice":"\/dev\/bus\/usb\/001\/002"/);
    } finally {
      await d.close();
    }
  });
});
