import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fakePci, TWO_NIC_HOST, type FakePci, type FakePciSpec } from '../../../tests/helpers/fake-pci.js';
import { isVirtkitError } from '../../core/errors.js';
import { PciHost } from './bind.js';
import { listPciDevices, readPciDevice } from './read.js';

async function withHost(spec: FakePciSpec, fn: (f: FakePci, h: PciHost) => Promise<void>): Promise<void> {
  const f = await fakePci(spec);
  try {
    await fn(f, new PciHost({ root: f.root, write: f.write }));
  } finally {
    await f.remove();
  }
}

const code = (c: string) => (e: unknown): boolean => isVirtkitError(e) && e.code === c;

describe('host PCI devices from sysfs', () => {
  it('reads drivers, IOMMU groups, SR-IOV relations, parents and net interfaces', () => withHost(TWO_NIC_HOST, async (f) => {
    const all = await listPciDevices(f.root);
    assert.deepEqual(all.map((d) => d.address), ['0000:00:1c.0', '0000:00:1f.2', '0000:03:00.0', '0000:03:10.0', '0000:03:10.2', '0000:04:00.0', '0000:04:00.1']);
    const pf = await readPciDevice(f.root, '0000:03:00.0');
    assert.equal(pf.driver, 'ixgbe');
    assert.deepEqual(pf.virtfns, ['0000:03:10.0', '0000:03:10.2']);
    assert.equal(pf.totalVfs, 63);
    assert.equal(pf.numaNode, 0);
    assert.equal(pf.physfn, null);
    assert.deepEqual(pf.net, [{ name: 'eth0', mac: '00:1b:21:aa:bb:01' }]);
    assert.equal(pf.path, '/sys/devices/pci0000:00/0000:03:00.0');
    const vf = await readPciDevice(f.root, '0000:03:10.2');
    assert.equal(vf.physfn, '0000:03:00.0');
    assert.equal(vf.iommuGroup, 22);
    assert.equal(vf.numaNode, null);
    const nic = await readPciDevice(f.root, '0000:04:00.1');
    assert.equal(nic.parent, '0000:00:1c.0');
    assert.equal(nic.path, '/sys/devices/pci0000:00/0000:00:1c.0/0000:04:00.1');
    assert.deepEqual(nic.iommuGroupMembers, ['0000:00:1c.0', '0000:04:00.0', '0000:04:00.1']);
    assert.equal(nic.class, 0x020000);
    assert.equal(nic.driverOverride, null);
    await assert.rejects(readPciDevice(f.root, '0000:09:00.0'), code('NODEDEV_NOT_FOUND'));
  }));

  it('detach writes driver_override, unbind, drivers_probe in that order and ends on vfio-pci', () => withHost(TWO_NIC_HOST, async (f, h) => {
    const [r] = await h.detach(['0000:03:10.2']);
    assert.deepEqual(f.writes, [
      { path: 'sys/bus/pci/devices/0000:03:10.2/driver_override', value: 'vfio-pci' },
      { path: 'sys/bus/pci/drivers/ixgbevf/unbind', value: '0000:03:10.2' },
      { path: 'sys/bus/pci/drivers_probe', value: '0000:03:10.2' },
    ]);
    assert.equal(r?.before, 'ixgbevf');
    assert.equal(r?.after, 'vfio-pci');
    assert.equal(await f.driverOf('0000:03:10.2'), 'vfio-pci');
    f.writes.length = 0;
    assert.deepEqual((await h.detach(['0000:03:10.2']))[0]?.writes, [], 'a device on vfio-pci already is left alone');
    assert.deepEqual(f.writes, []);
  }));

  it('reattach clears driver_override, unbinds from vfio-pci and probes: the host driver takes it back', () => withHost(TWO_NIC_HOST, async (f, h) => {
    await h.detach(['0000:03:10.0']);
    f.writes.length = 0;
    const r = await h.reattach('0000:03:10.0');
    assert.deepEqual(f.writes, [
      { path: 'sys/bus/pci/devices/0000:03:10.0/driver_override', value: '\n' },
      { path: 'sys/bus/pci/drivers/vfio-pci/unbind', value: '0000:03:10.0' },
      { path: 'sys/bus/pci/drivers_probe', value: '0000:03:10.0' },
    ]);
    assert.equal(r.after, 'ixgbevf');
    assert.equal(await f.driverOf('0000:03:10.0'), 'ixgbevf');
    assert.equal((await readFile(join(f.root, 'sys/bus/pci/devices/0000:03:10.0/driver_override'), 'utf8')).trim(), '(null)');
    f.writes.length = 0;
    assert.deepEqual((await h.reattach('0000:03:10.0')).writes, [], 'a device on its host driver is left alone');
  }));

  it('refuses a device whose IOMMU group holds a device on a host driver, naming it, and writes nothing', () => withHost(TWO_NIC_HOST, async (f, h) => {
    await assert.rejects(h.detach(['0000:04:00.0']), (e: unknown) => {
      assert.ok(isVirtkitError(e) && e.code === 'IOMMU_GROUP_BUSY');
      // the bridge 0000:00:1c.0 is in the group too, and does not block
      assert.deepEqual((e.details as { blockers: unknown }).blockers, [{ address: '0000:04:00.1', driver: 'e1000e', iommuGroup: 30, blocks: '0000:04:00.0' }]);
      assert.match(e.message, /0000:04:00\.1 \(pci_0000_04_00_1, bound to host driver 'e1000e', IOMMU group 30\)/);
      return true;
    });
    assert.deepEqual(f.writes, []);
    assert.equal(await f.driverOf('0000:04:00.0'), 'e1000e');
    // the whole group (but the bridge) at once is fine
    const rs = await h.detach(['0000:04:00.0', '0000:04:00.1']);
    assert.deepEqual(rs.map((r) => r.after), ['vfio-pci', 'vfio-pci']);
    assert.equal(await f.driverOf('0000:00:1c.0'), 'pcieport');
  }));

  it('an unbound group member or one on vfio-pci does not block', () => withHost(TWO_NIC_HOST, async (f, h) => {
    await h.detach(['0000:04:00.1', '0000:04:00.0']);
    await h.reattach('0000:04:00.0');
    // 04:00.0 is back on e1000e: now it blocks 04:00.1's group, and a detach of 04:00.0 alone works (04:00.1 is on vfio-pci)
    await h.reattach('0000:04:00.1');
    f.writes.length = 0;
    await assert.rejects(h.detach(['0000:04:00.1']), code('IOMMU_GROUP_BUSY'));
    await f.write(join(f.root, 'sys/bus/pci/drivers/e1000e/unbind'), '0000:04:00.0');
    assert.equal((await h.detach(['0000:04:00.1']))[0]?.after, 'vfio-pci');
  }));

  it('a bind that does not take is undone and reported; a device without IOMMU group and a missing vfio-pci driver are refused', async () => {
    await withHost({ devices: [{ address: '0000:05:00.0', driver: 'igb', iommuGroup: 5, refuses: 'vfio-pci' }] }, async (f, h) => {
      await assert.rejects(h.detach(['0000:05:00.0']), (e: unknown) => isVirtkitError(e) && e.code === 'NODEDEV_FAILED' && /unbound after the probe/.test(e.message));
      assert.equal(await f.driverOf('0000:05:00.0'), 'igb');
      assert.deepEqual(f.writes.map((w) => `${w.path} ${w.value}`.trim()), [
        'sys/bus/pci/devices/0000:05:00.0/driver_override vfio-pci',
        'sys/bus/pci/drivers/igb/unbind 0000:05:00.0',
        'sys/bus/pci/drivers_probe 0000:05:00.0',
        'sys/bus/pci/devices/0000:05:00.0/driver_override',
        'sys/bus/pci/drivers_probe 0000:05:00.0',
      ]);
    });
    await withHost({ devices: [{ address: '0000:05:00.0', driver: 'igb' }] }, async (f, h) => {
      await assert.rejects(h.detach(['0000:05:00.0']), (e: unknown) => isVirtkitError(e) && e.code === 'HOST_UNSUPPORTED' && /in no IOMMU group/.test(e.message));
      assert.deepEqual(f.writes, []);
    });
    await withHost({ vfio: false, devices: [{ address: '0000:05:00.0', driver: 'igb', iommuGroup: 5 }] }, async (f, h) => {
      await assert.rejects(h.detach(['0000:05:00.0']), (e: unknown) => isVirtkitError(e) && e.code === 'HOST_UNSUPPORTED' && /modprobe vfio-pci/.test(e.message));
      assert.deepEqual(f.writes, []);
    });
  });

  it('reset writes 1 to reset on a detached device; refuses one on a host driver or without a reset file', () => withHost({
    devices: [{ address: '0000:05:00.0', driver: 'igb', iommuGroup: 5 }, { address: '0000:06:00.0', iommuGroup: 6, reset: false }],
  }, async (f, h) => {
    await assert.rejects(h.reset('0000:05:00.0'), (e: unknown) => isVirtkitError(e) && e.code === 'OPERATION_INVALID' && /host driver 'igb'/.test(e.message));
    await assert.rejects(h.reset('0000:06:00.0'), (e: unknown) => isVirtkitError(e) && e.code === 'OPERATION_INVALID' && /no reset method/.test(e.message));
    assert.deepEqual(f.writes, []);
    await h.detach(['0000:05:00.0']);
    f.writes.length = 0;
    await h.reset('0000:05:00.0');
    assert.deepEqual(f.writes, [{ path: 'sys/bus/pci/devices/0000:05:00.0/reset', value: '1' }]);
  }));
});
