/**
 * nodedev-* through the whole stack (CLI, client, REST, engine, src/host/pci) against a fake
 * PCI tree whose "kernel" (tests/helpers/fake-pci.ts) moves the driver links. No QEMU runs:
 * the daemon's driver is never loaded by these commands.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PciHost } from '../../src/host/pci/bind.js';
import { NoHypervisor } from '../../src/daemon/driver-none.js';
import { fakePci, TWO_NIC_HOST } from '../helpers/fake-pci.js';
import { cli, domainXml, inProcessDaemon } from './daemon-harness.js';

describe('nodedev commands against a daemon on a fake PCI tree', () => {
  it('list, tree, dumpxml, detach, reattach, reset, and the IOMMU group refusal', async () => {
    const pci = await fakePci(TWO_NIC_HOST);
    const d = await inProcessDaemon({
      loadDriver: () => Promise.resolve(new NoHypervisor('no hypervisor in this test')),
      nodedevs: { pci: new PciHost({ root: pci.root, write: pci.write }), ip: () => Promise.reject(new Error('no ip in this test')) },
    });
    try {
      const ok = async (argv: string[], stdout: string): Promise<void> => assert.deepEqual(await cli(d.root, argv), { code: 0, stdout, stderr: '' }, argv.join(' '));
      await ok(['nodedev-list', '--cap', 'net'], 'net_eth0_00_1b_21_aa_bb_01\nnet_eth0v0_02_00_00_00_10_00\nnet_eth1_00_15_17_00_00_01\nnet_eth2_00_15_17_00_00_02\n\n');
      await ok(['nodedev-list', '--cap', 'usb_device'], '\n');
      const tree = await cli(d.root, ['nodedev-list', '--tree']);
      assert.equal(tree.code, 0);
      assert.match(tree.stdout, /^computer\n {2}\|\n {2}\+- pci_0000_00_1c_0\n {2}\| {3}\|\n {2}\| {3}\+- pci_0000_04_00_0\n/);
      assert.match(tree.stdout, /\n {2}\+- pci_0000_03_10_2\n/);
      const xml = await cli(d.root, ['nodedev-dumpxml', 'pci_0000_04_00_1']);
      assert.match(xml.stdout, /^<device>\n {2}<name>pci_0000_04_00_1<\/name>\n {2}<path>\/sys\/devices\/pci0000:00\/0000:00:1c\.0\/0000:04:00\.1<\/path>\n {2}<parent>pci_0000_00_1c_0<\/parent>/);
      assert.match(xml.stdout, /<iommuGroup number='30'>\n(?: {6}<address [^>]+\/>\n){3} {4}<\/iommuGroup>/);

      const refused = await cli(d.root, ['nodedev-detach', 'pci_0000_04_00_0']);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /^error: Failed to detach device pci_0000_04_00_0\nerror: cannot assign PCI device 0000:04:00\.0: another device of the same IOMMU group still belongs to a host driver: 0000:04:00\.1 \(pci_0000_04_00_1, bound to host driver 'e1000e', IOMMU group 30\)/);
      assert.deepEqual(pci.writes, []);

      await ok(['nodedev-detach', 'pci_0000_03_10_2'], 'Device pci_0000_03_10_2 detached\n\n');
      assert.equal(await pci.driverOf('0000:03:10.2'), 'vfio-pci');
      await ok(['nodedev-reset', 'pci_0000_03_10_2'], 'Device pci_0000_03_10_2 was reset\n\n');
      const re = await cli(d.root, ['--json', 'nodedev-reattach', 'pci_0000_03_10_2']);
      assert.equal(re.code, 0);
      const body = JSON.parse(re.stdout) as { before: string; after: string; writes: unknown[] };
      assert.deepEqual([body.before, body.after, body.writes.length], ['vfio-pci', 'ixgbevf', 3]);
      const missing = await cli(d.root, ['nodedev-dumpxml', 'pci_0000_0a_00_0']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /Could not find matching device 'pci_0000_0a_00_0'\nerror: no PCI device 0000:0a:00\.0 on this host/);
    } finally {
      await d.close();
      await pci.remove();
    }
  });

  it('domxml-to-native: a managed <hostdev> and an interface on a VF pool network become vfio-pci with the host address (the real QEMU driver\'s argv, no guest started)', async () => {
    const pci = await fakePci(TWO_NIC_HOST);
    const d = await inProcessDaemon({ nodedevs: { pci: new PciHost({ root: pci.root, write: pci.write }), ip: () => Promise.reject(new Error('no ip in this test')) } });
    try {
      await writeFile(join(d.root, 'vfs.xml'), "<network><name>vfs</name><forward mode='hostdev' managed='yes'><pf dev='eth0'/></forward></network>");
      assert.equal((await cli(d.root, ['net-create', 'vfs.xml'])).code, 0);
      await writeFile(join(d.root, 'pt.xml'), domainXml('pt', `  <devices>
    <hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x04' slot='0x00' function='0x1'/></source></hostdev>
    <interface type='network'><mac address='52:54:00:00:00:0a'/><source network='vfs'/></interface>
  </devices>
`));
      const r = await cli(d.root, ['domxml-to-native', 'qemu-argv', 'pt.xml']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /-device '\{"driver":"vfio-pci","host":"0000:03:10\.0","id":"hostdev0"/);
      assert.match(r.stdout, /-device '\{"driver":"vfio-pci","host":"0000:04:00\.1","id":"hostdev1"/);
      assert.deepEqual(pci.writes, [], 'a pretend run writes nothing');
    } finally {
      await d.close();
      await pci.remove();
    }
  });
});
