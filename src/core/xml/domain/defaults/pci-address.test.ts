import assert from 'node:assert/strict';
import { test } from 'node:test';
import { at, prep, prepFails } from '../../../../../tests/helpers/domain-defaults.js';

const nic = (model = 'virtio'): string => `<interface type='user'><model type='${model}'/></interface>`;

test('pc: libvirt order puts NICs before controllers, virtio disks, balloon and rng; primary video keeps slot 2', () => {
  const d = prep(`<disk device='disk'><target dev='vda'/></disk><controller type='virtio-serial'/>${nic()}<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
    <video><model type='vga'/></video><video><model type='qxl'/></video>`);
  const dv = d.devices;
  assert.equal(at(dv?.video?.[0]?.address), '0:2.0');
  assert.equal(at(dv?.interface?.[0]?.address), '0:3.0');
  assert.equal(at(dv?.controller?.find((c) => c.type === 'virtio-serial')?.address), '0:4.0');
  assert.equal(at(dv?.disk?.[0]?.address), '0:5.0');
  assert.equal(at(dv?.memballoon?.address), '0:6.0');
  assert.equal(at(dv?.rng?.[0]?.address), '0:7.0');
  assert.equal(at(dv?.video?.[1]?.address), '0:8.0', 'secondary videos come last');
  assert.equal(at(dv?.controller?.find((c) => c.type === 'usb')?.address), '0:1.2');
});

test('pc: explicit addresses are kept and skipped over', () => {
  const d = prep(`${nic()}${nic()}<memballoon model='virtio'><address type='pci' domain='0' bus='0' slot='2' function='0'/></memballoon>`);
  assert.deepEqual(d.devices?.interface?.map((n) => at(n.address)), ['0:3.0', '0:4.0']);
});

test('pc: a pci-bridge is added when slots run out, and sits on the first free slot', () => {
  const d = prep(nic().repeat(31));
  const bridge = d.devices?.controller?.find((c) => c.type === 'pci' && c.index === 1);
  assert.equal(bridge?.model, 'pci-bridge');
  assert.equal(bridge?.modelName?.name, 'pci-bridge');
  assert.equal(bridge?.target?.chassisNr, 1);
  assert.equal(at(bridge?.address), '0:2.0');
  const nets = d.devices?.interface ?? [];
  assert.equal(at(nets[0]?.address), '0:3.0');
  assert.equal(at(nets[28]?.address), '0:1f.0');
  assert.equal(at(nets[29]?.address), '1:1.0');
  assert.equal(at(nets[30]?.address), '1:2.0');
  assert.equal(at(d.devices?.memballoon?.address), '1:3.0');
});

test('q35: every PCIe device gets its own root port; root ports fill slot 1 functions, one spare', () => {
  const d = prep(`${nic()}<disk device='disk'><target dev='vda'/></disk>`, 'q35');
  const ports = (d.devices?.controller ?? []).filter((c) => c.model === 'pcie-root-port');
  // net, usb (qemu-xhci), disk, balloon, and one spare for hotplug
  assert.deepEqual(ports.map((p) => at(p.address)), ['0:1.0', '0:1.1', '0:1.2', '0:1.3', '0:1.4']);
  assert.equal(ports[0]?.address?.type === 'pci' && ports[0].address.multifunction, true);
  assert.deepEqual(ports.map((p) => [p.index, p.target?.chassis, p.target?.port]), [[1, 1, 8], [2, 2, 9], [3, 3, 10], [4, 4, 11], [5, 5, 12]]);
  assert.equal(at(d.devices?.interface?.[0]?.address), '1:0.0');
  assert.equal(at(d.devices?.controller?.find((c) => c.type === 'usb')?.address), '2:0.0');
  assert.equal(at(d.devices?.disk?.[0]?.address), '3:0.0');
  assert.equal(at(d.devices?.memballoon?.address), '4:0.0');
  assert.equal(at(d.devices?.controller?.find((c) => c.type === 'sata')?.address), '0:1f.2');
});

test('q35: video takes pcie.0 slot 1 and root ports start at slot 2; no devices, no root ports', () => {
  const d = prep(`<video><model type='qxl'/></video>${nic()}`, 'q35');
  assert.equal(at(d.devices?.video?.[0]?.address), '0:1.0');
  const ports = (d.devices?.controller ?? []).filter((c) => c.model === 'pcie-root-port');
  assert.equal(at(ports[0]?.address), '0:2.0');
  assert.equal(ports[0]?.target?.port, 16);
  const bare = prep(`<controller type='usb' model='none'/><memballoon model='none'/>`, 'q35');
  assert.deepEqual((bare.devices?.controller ?? []).map((c) => c.model ?? c.type), ['none', 'sata', 'pcie-root']);
});

test('q35: a conventional PCI device goes behind a pcie-to-pci-bridge on its own root port (root port 1, bridge 2)', () => {
  const d = prep(nic('rtl8139'), 'q35');
  const pci = (d.devices?.controller ?? []).filter((c) => c.type === 'pci');
  assert.deepEqual(
    pci.map((c) => [c.index, c.model, at(c.address)]),
    [
      [0, 'pcie-root', 'none'],
      [1, 'pcie-root-port', '0:1.0'],
      [2, 'pcie-to-pci-bridge', '1:0.0'],
      [3, 'pcie-root-port', '0:1.1'],
      [4, 'pcie-root-port', '0:1.2'],
      [5, 'pcie-root-port', '0:1.3'],
    ],
  );
  assert.equal(pci[2]?.modelName?.name, 'pcie-pci-bridge');
  assert.equal(at(d.devices?.interface?.[0]?.address), '2:1.0');
  assert.equal(at(d.devices?.controller?.find((c) => c.type === 'usb')?.address), '3:0.0');
  assert.equal(at(d.devices?.memballoon?.address), '4:0.0');
});

test('PCI address errors', () => {
  prepFails(`${nic()}<interface type='user'><address type='pci' domain='0' bus='0' slot='3' function='0'/></interface><memballoon model='virtio'><address type='pci' domain='0' bus='0' slot='3' function='0'/></memballoon>`, 'ADDRESS_CONFLICT', /memballoon.*0x0:0x3\.0 is already in use by \/domain\/devices\/interface\[2\]/);
  prepFails(`<memballoon model='virtio'><address type='pci' domain='0' bus='0' slot='1' function='0'/></memballoon>`, 'ADDRESS_CONFLICT', /PIIX3 ISA bridge/);
  prepFails(`<memballoon model='virtio'><address type='pci' domain='0' bus='3' slot='1' function='0'/></memballoon>`, 'XML_CONFLICT', /memballoon\/address\/@bus: there is no PCI controller with index 3/);
  prepFails(`<controller type='usb' index='0' model='piix3-uhci'><address type='pci' domain='0' bus='0' slot='4' function='0'/></controller>`, 'XML_CONFLICT', /PIIX3 USB controller at index 0 must have PCI address/);
  prepFails(`<input type='mouse' bus='ps2'><address type='pci' domain='0' bus='0' slot='4' function='0'/></input>`, 'XML_CONFLICT', /does not sit on PCI/);
  prepFails(`<interface type='user'><address type='usb' bus='0' port='1'/></interface>`, 'XML_CONFLICT', /needs a PCI address, not 'usb'/);
  prepFails(`<controller type='pci' index='0' model='pcie-root'/>`, 'XML_CONFLICT', /must be model='pci-root'/);
});

test('PCI controller models must fit the machine', () => {
  prepFails(`<controller type='pci' index='1' model='pcie-root-port'/>`, 'XML_CONFLICT', /controller\/@model: a pcie-root-port needs a PCI Express machine/);
  prepFails(`<controller type='pci' index='1' model='pci-root'/>`, 'XML_CONFLICT', /must have index 0/, 'q35');
  const d = prep(`<controller type='pci' index='1' model='pcie-root-port'/>${nic()}`, 'q35');
  assert.equal(at(d.devices?.interface?.[0]?.address), '1:0.0', 'an explicit root port is used first, and no spare is added');
  assert.equal((d.devices?.controller ?? []).filter((c) => c.model === 'pcie-root-port').length, 3);
});

test('errors name elements where the user wrote them, not where virtkit inserted devices', () => {
  // pci-root is inserted before the bridge; the message still calls the bridge /domain/devices/controller.
  prepFails(
    `<controller type='pci' index='1' model='pci-bridge'><address type='pci' domain='0' bus='0' slot='3' function='0'/></controller>
     <interface type='user'><address type='pci' domain='0' bus='0' slot='3' function='0'/></interface>`,
    'ADDRESS_CONFLICT',
    /^\/domain\/devices\/interface: PCI address 0x0:0x3\.0 is already in use by \/domain\/devices\/controller$/,
  );
});
