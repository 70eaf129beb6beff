import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isVirtkitError } from '../errors.js';
import { detachWrites, reattachWrites } from './bind-plan.js';
import { groupBlockers } from './iommu-group.js';
import { vfSetupCommands, vfTeardownCommands } from './vf-config.js';
import { allocateVf, vfPool } from './vf-pool.js';
import { nodedevEntries, nodedevTree } from './list.js';
import { nodedevName, pciAddressOf, sysfsAddressOfXml } from './pci-address.js';
import type { PciDeviceInfo } from './types.js';
import { netNodedevXml, pciNodedevXml } from './xml.js';

const dev = (address: string, o: Partial<PciDeviceInfo> = {}): PciDeviceInfo => ({
  address, path: `/sys/devices/pci0000:00/${address}`, parent: null, vendor: 0x8086, device: 0x10fb, class: 0x020000,
  driver: null, driverOverride: null, iommuGroup: null, iommuGroupMembers: [], numaNode: null, physfn: null,
  virtfns: [], totalVfs: null, net: [], canReset: true, ...o,
});

describe('node devices', () => {
  it('names and addresses', () => {
    assert.equal(nodedevName('0000:03:10.2'), 'pci_0000_03_10_2');
    assert.equal(pciAddressOf('pci_0000_03_10_2'), '0000:03:10.2');
    assert.equal(pciAddressOf('0000:0A:00.0'), '0000:0a:00.0');
    assert.throws(() => pciAddressOf('net_eth0_00_11_22_33_44_55'), (e: unknown) => isVirtkitError(e) && e.code === 'INVALID_ARGUMENT');
    assert.equal(sysfsAddressOfXml({ domain: '0x0000', bus: '0x06', slot: '0x12', function: '0x5' }), '0000:06:12.5');
  });

  it('formats a PF as libvirt does: driver, class, ids, virt_functions, iommuGroup, numa', () => {
    const pf = dev('0000:03:00.0', { driver: 'ixgbe', iommuGroup: 20, iommuGroupMembers: ['0000:03:00.0'], numaNode: 0, totalVfs: 63, virtfns: ['0000:03:10.0'] });
    assert.equal(pciNodedevXml(pf), `<device>
  <name>pci_0000_03_00_0</name>
  <path>/sys/devices/pci0000:00/0000:03:00.0</path>
  <parent>computer</parent>
  <driver>
    <name>ixgbe</name>
  </driver>
  <capability type='pci'>
    <class>0x020000</class>
    <domain>0</domain>
    <bus>3</bus>
    <slot>0</slot>
    <function>0</function>
    <product id='0x10fb'/>
    <vendor id='0x8086'/>
    <capability type='virt_functions' maxCount='63'>
      <address domain='0x0000' bus='0x03' slot='0x10' function='0x0'/>
    </capability>
    <iommuGroup number='20'>
      <address domain='0x0000' bus='0x03' slot='0x00' function='0x0'/>
    </iommuGroup>
    <numa node='0'/>
  </capability>
</device>
`);
  });

  it('formats a VF (phys_function, no driver) and its net device', () => {
    const vf = dev('0000:03:10.2', { parent: '0000:00:03.0', physfn: '0000:03:00.0', net: [{ name: 'eth0v1', mac: '02:00:00:00:00:01' }] });
    const x = pciNodedevXml(vf);
    assert.match(x, /<parent>pci_0000_00_03_0<\/parent>\n {2}<capability type='pci'>/);
    assert.match(x, /<capability type='phys_function'>\n {6}<address domain='0x0000' bus='0x03' slot='0x00' function='0x0'\/>\n {4}<\/capability>/);
    assert.doesNotMatch(x, /iommuGroup|numa|virt_functions|<driver>/);
    assert.equal(netNodedevXml(vf, { name: 'eth0v1', mac: '02:00:00:00:00:01' }), `<device>
  <name>net_eth0v1_02_00_00_00_00_01</name>
  <path>/sys/devices/pci0000:00/0000:03:10.2/net/eth0v1</path>
  <parent>pci_0000_03_10_2</parent>
  <capability type='net'>
    <interface>eth0v1</interface>
    <address>02:00:00:00:00:01</address>
  </capability>
</device>
`);
  });

  it('lists by cap and draws virsh\'s tree', () => {
    const devices = [
      dev('0000:00:1c.0', { class: 0x060400 }),
      dev('0000:00:1f.2'),
      dev('0000:04:00.0', { parent: '0000:00:1c.0', net: [{ name: 'eth1', mac: '00:15:17:00:00:01' }] }),
      dev('0000:04:00.1', { parent: '0000:00:1c.0' }),
    ];
    assert.deepEqual(nodedevEntries(devices, ['net']).map((e) => e.name), ['net_eth1_00_15_17_00_00_01']);
    assert.deepEqual(nodedevEntries(devices, ['pci']).map((e) => e.name), ['pci_0000_00_1c_0', 'pci_0000_00_1f_2', 'pci_0000_04_00_0', 'pci_0000_04_00_1']);
    assert.equal(nodedevTree(nodedevEntries(devices)), [
      'computer',
      '  |',
      '  +- pci_0000_00_1c_0',
      '  |   |',
      '  |   +- pci_0000_04_00_0',
      '  |   |   |',
      '  |   |   +- net_eth1_00_15_17_00_00_01',
      '  |   |     ',
      '  |   +- pci_0000_04_00_1',
      '  |     ',
      '  +- pci_0000_00_1f_2',
      '    ',
      '',
    ].join('\n'));
  });

  it('plans no writes for a device already where it should be', () => {
    assert.deepEqual(detachWrites({ address: '0000:05:00.0', driver: 'vfio-pci' }), []);
    assert.deepEqual(detachWrites({ address: '0000:05:00.0', driver: null }).map((w) => w.path), ['sys/bus/pci/devices/0000:05:00.0/driver_override', 'sys/bus/pci/drivers_probe']);
    assert.deepEqual(reattachWrites({ address: '0000:05:00.0', driver: 'igb', driverOverride: null }), []);
  });

  it('group blockers: host drivers block, vfio-pci, pci-stub, unbound and bridges do not', () => {
    const g = ['0000:00:1c.0', '0000:04:00.0', '0000:04:00.1', '0000:04:00.2', '0000:04:00.3'];
    const m = new Map([
      dev('0000:00:1c.0', { class: 0x060400, driver: 'pcieport' }),
      dev('0000:04:00.0', { driver: 'e1000e' }),
      dev('0000:04:00.1', { driver: 'pci-stub' }),
      dev('0000:04:00.2'),
      dev('0000:04:00.3', { driver: 'snd_hda_intel' }),
    ].map((d) => [d.address, { ...d, iommuGroup: 7, iommuGroupMembers: g }] as const));
    assert.deepEqual(groupBlockers(['0000:04:00.0'], m).map((b) => `${b.address} ${b.driver}`), ['0000:04:00.3 snd_hda_intel']);
    assert.deepEqual(groupBlockers(['0000:04:00.0', '0000:04:00.3'], m), []);
  });

  it('VF pools: a PF\'s VFs or an address list, first free first; exhausted and non-PF refused', () => {
    const pf = dev('0000:03:00.0', { net: [{ name: 'eth0', mac: null }], virtfns: ['0000:03:10.0', '0000:03:10.2'] });
    const pool = vfPool('n', { pf: [{ dev: 'eth0' }] }, [pf]);
    assert.deepEqual(pool, ['0000:03:10.0', '0000:03:10.2']);
    assert.deepEqual(vfPool('n', { address: [{ domain: 0, bus: 5, slot: 0x10, function: 1 }] }, []), ['0000:05:10.1']);
    assert.equal(allocateVf('n', pool, new Set(['0000:03:10.0'])), '0000:03:10.2');
    assert.throws(() => allocateVf('n', pool, new Set(pool)), (e: unknown) => isVirtkitError(e) && e.code === 'VF_POOL_EXHAUSTED');
    assert.throws(() => vfPool('n', { pf: [{ dev: 'eth9' }] }, [pf]), (e: unknown) => isVirtkitError(e) && e.code === 'OPERATION_INVALID' && /eth9/.test(e.message));
  });

  it('VF MAC/VLAN commands go to the PF with the VF\'s index, in interface order', () => {
    const m = new Map([
      dev('0000:03:00.0', { net: [{ name: 'enp3s0f0', mac: null }], virtfns: ['0000:03:10.0', '0000:03:10.2', '0000:03:10.4'] }),
      dev('0000:03:10.4', { physfn: '0000:03:00.0' }), dev('0000:03:10.0', { physfn: '0000:03:00.0' }),
    ].map((d) => [d.address, d] as const));
    const items = [
      { address: '0000:03:10.4', managed: true, where: 'i1', vf: { mac: '52:54:00:00:00:01', vlan: 10 } },
      { address: '0000:03:10.0', managed: true, where: 'i2', vf: { mac: '52:54:00:00:00:02', vlan: undefined } },
    ];
    assert.deepEqual(vfSetupCommands(items, m), [
      ['link', 'set', 'enp3s0f0', 'vf', '2', 'mac', '52:54:00:00:00:01', 'vlan', '10'],
      ['link', 'set', 'enp3s0f0', 'vf', '0', 'mac', '52:54:00:00:00:02'],
    ]);
    assert.deepEqual(vfTeardownCommands(items, m), [['link', 'set', 'enp3s0f0', 'vf', '2', 'vlan', '0']]);
  });
});
