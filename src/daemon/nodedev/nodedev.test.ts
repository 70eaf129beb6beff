import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fakeEngine } from '../../../tests/helpers/fake-engine.js';
import { fakePci, TWO_NIC_HOST, type FakePci } from '../../../tests/helpers/fake-pci.js';
import { isVirtkitError } from '../../core/errors.js';
import { PciHost } from '../../host/pci/bind.js';
import type { Engine } from '../engine/engine.js';
import { MemoryConfigStore, MemoryStatusStore } from '../store/memory-stores.js';

const ROOT = mkdtempSync(join(tmpdir(), 'vk-nodedev-'));
after(() => rmSync(ROOT, { recursive: true, force: true }));

const code = (c: string) => (e: unknown): boolean => isVirtkitError(e) && e.code === c;

async function setup(root = ROOT, fake?: FakePci, stores = { config: new MemoryConfigStore(), status: new MemoryStatusStore() }): Promise<{ engine: Engine; pci: FakePci; ip: string[]; done: () => Promise<void> }> {
  const pci = fake ?? await fakePci(TWO_NIC_HOST);
  const ip: string[] = [];
  const engine = fakeEngine({
    root, ...stores,
    nodedevs: { pci: new PciHost({ root: pci.root, write: pci.write }), ip: (args) => { ip.push(args.join(' ')); return Promise.resolve(''); } },
  });
  return { engine, pci, ip, done: () => pci.remove() };
}

const writes = (pci: FakePci): string[] => pci.writes.map((w) => `${w.path} ${w.value}`.trim());
/** The release after a stop runs in the background, in the nodedev queue: wait for it. */
const settled = (engine: Engine): Promise<void> => engine.ctx.nodedevs.serial(() => Promise.resolve());

const domain = (devices: string): string => `<domain type='qemu'><name>pt</name><memory>131072</memory><devices>${devices}</devices></domain>`;
const HOSTDEV = `<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x03' slot='0x10' function='0x2'/></source></hostdev>`;
const VF_NIC = `<interface type='hostdev' managed='yes'><mac address='52:54:00:6d:90:02'/><source><address type='pci' domain='0x0000' bus='0x03' slot='0x10' function='0x0'/></source><vlan><tag id='42'/></vlan></interface>`;

describe('node devices through the engine (fake sysfs)', () => {
  it('lists, dumps, detaches, reattaches and resets', async () => {
    const { engine, pci, done } = await setup();
    try {
      const all = await engine.dispatch({ kind: 'nodedevList' });
      assert.equal(all.length, 11);
      assert.deepEqual((await engine.dispatch({ kind: 'nodedevList', caps: ['net'] })).map((e) => `${e.name} < ${e.parent}`), [
        'net_eth0_00_1b_21_aa_bb_01 < pci_0000_03_00_0', 'net_eth0v0_02_00_00_00_10_00 < pci_0000_03_10_0',
        'net_eth1_00_15_17_00_00_01 < pci_0000_04_00_0', 'net_eth2_00_15_17_00_00_02 < pci_0000_04_00_1',
      ]);
      assert.match(await engine.dispatch({ kind: 'nodedevXml', name: 'pci_0000_03_10_2' }), /<driver>\n {4}<name>ixgbevf<\/name>[\s\S]*<capability type='phys_function'>/);
      assert.match(await engine.dispatch({ kind: 'nodedevXml', name: 'net_eth1_00_15_17_00_00_01' }), /<interface>eth1<\/interface>/);
      await assert.rejects(engine.dispatch({ kind: 'nodedevXml', name: 'pci_0000_09_00_0' }), code('NODEDEV_NOT_FOUND'));
      const d = await engine.dispatch({ kind: 'nodedevDetach', name: 'pci_0000_03_10_2' });
      assert.deepEqual([d.before, d.after, d.writes.length], ['ixgbevf', 'vfio-pci', 3]);
      await engine.dispatch({ kind: 'nodedevReset', name: '0000:03:10.2' });
      const r = await engine.dispatch({ kind: 'nodedevReattach', name: 'pci_0000_03_10_2' });
      assert.equal(r.after, 'ixgbevf');
      assert.deepEqual(writes(pci).slice(3, 4), ['sys/bus/pci/devices/0000:03:10.2/reset 1']);
      await assert.rejects(engine.dispatch({ kind: 'nodedevDetach', name: 'pci_0000_04_00_1' }), code('IOMMU_GROUP_BUSY'));
    } finally {
      await done();
    }
  });

  it('a managed hostdev and an SR-IOV VF interface: detached and set up at start, given back at stop', async () => {
    const { engine, pci, ip, done } = await setup();
    try {
      await engine.dispatch({ kind: 'define', xml: domain(HOSTDEV + VF_NIC) });
      await engine.dispatch({ kind: 'start', name: 'pt' });
      assert.deepEqual(writes(pci), [
        'sys/bus/pci/devices/0000:03:10.2/driver_override vfio-pci', 'sys/bus/pci/drivers/ixgbevf/unbind 0000:03:10.2', 'sys/bus/pci/drivers_probe 0000:03:10.2',
        'sys/bus/pci/devices/0000:03:10.0/driver_override vfio-pci', 'sys/bus/pci/drivers/ixgbevf/unbind 0000:03:10.0', 'sys/bus/pci/drivers_probe 0000:03:10.0',
      ]);
      assert.deepEqual(ip, ['link set eth0 vf 0 mac 52:54:00:6d:90:02 vlan 42']);
      assert.equal(await pci.driverOf('0000:03:10.0'), 'vfio-pci');
      await assert.rejects(engine.dispatch({ kind: 'nodedevReattach', name: 'pci_0000_03_10_2' }), (e: unknown) => code('OPERATION_INVALID')(e) && /running domain 'pt'/.test((e as Error).message));
      pci.writes.length = 0;
      await engine.dispatch({ kind: 'destroy', name: 'pt' });
      await settled(engine);
      assert.deepEqual(ip.slice(1), ['link set eth0 vf 0 vlan 0']);
      assert.deepEqual(writes(pci), [
        'sys/bus/pci/devices/0000:03:10.2/driver_override', 'sys/bus/pci/drivers/vfio-pci/unbind 0000:03:10.2', 'sys/bus/pci/drivers_probe 0000:03:10.2',
        'sys/bus/pci/devices/0000:03:10.0/driver_override', 'sys/bus/pci/drivers/vfio-pci/unbind 0000:03:10.0', 'sys/bus/pci/drivers_probe 0000:03:10.0',
      ]);
      assert.equal(await pci.driverOf('0000:03:10.2'), 'ixgbevf');
    } finally {
      await done();
    }
  });

  it('refuses a start whose device shares an IOMMU group with a host-bound device, and an unmanaged device not on vfio-pci', async () => {
    const { engine, pci, ip, done } = await setup();
    try {
      await engine.dispatch({ kind: 'define', xml: domain(HOSTDEV.replace("bus='0x03' slot='0x10' function='0x2'", "bus='0x04' slot='0x00' function='0x0'")) });
      await assert.rejects(engine.dispatch({ kind: 'start', name: 'pt' }), (e: unknown) => code('IOMMU_GROUP_BUSY')(e) && /0000:04:00\.1/.test((e as Error).message));
      assert.equal((await engine.dispatch({ kind: 'get', name: 'pt' })).state, 'shutoff');
      await engine.dispatch({ kind: 'define', xml: domain(HOSTDEV.replace("managed='yes'", "managed='no'")) });
      await assert.rejects(engine.dispatch({ kind: 'start', name: 'pt' }), (e: unknown) => code('OPERATION_INVALID')(e) && /nodedev-detach pci_0000_03_10_2/.test((e as Error).message));
      // a VF interface on a device that is no VF
      await engine.dispatch({ kind: 'define', xml: domain(VF_NIC.replace("bus='0x03' slot='0x10' function='0x0'", "bus='0x00' slot='0x1f' function='0x2'")) });
      await assert.rejects(engine.dispatch({ kind: 'start', name: 'pt' }), code('XML_CONFLICT'));
      assert.deepEqual([pci.writes, ip], [[], []]);
    } finally {
      await done();
    }
  });

  it('a <forward mode=\'hostdev\'> network hands out its PF\'s VFs, first free first, and refuses when none is left', async () => {
    const { engine, pci, ip, done } = await setup();
    try {
      await engine.dispatch({ kind: 'netCreate', xml: "<network><name>vfs</name><forward mode='hostdev' managed='yes'><pf dev='eth0'/></forward><vlan><tag id='7'/></vlan></network>" });
      const nic = (mac: string): string => `<interface type='network'><mac address='${mac}'/><source network='vfs'/></interface>`;
      const vm = (name: string, mac: string): string => domain(nic(mac)).replace('<name>pt</name>', `<name>${name}</name>`);
      await engine.dispatch({ kind: 'create', xml: vm('a', '52:54:00:00:00:0a') });
      await engine.dispatch({ kind: 'create', xml: vm('b', '52:54:00:00:00:0b') });
      assert.deepEqual(ip, ['link set eth0 vf 0 mac 52:54:00:00:00:0a vlan 7', 'link set eth0 vf 1 mac 52:54:00:00:00:0b vlan 7']);
      assert.equal(await pci.driverOf('0000:03:10.2'), 'vfio-pci');
      assert.match(await engine.dispatch({ kind: 'dumpxml', name: 'b' }), /<interface type='hostdev' managed='yes'>[\s\S]*<address type='pci' domain='0x0000' bus='0x03' slot='0x10' function='0x2'\/>/);
      await assert.rejects(engine.dispatch({ kind: 'create', xml: vm('c', '52:54:00:00:00:0c') }), (e: unknown) => code('VF_POOL_EXHAUSTED')(e) && /network 'vfs' has no free VF: all 2/.test((e as Error).message));
      await engine.dispatch({ kind: 'destroy', name: 'a' });
      await settled(engine);
      assert.equal(await pci.driverOf('0000:03:10.0'), 'ixgbevf');
      await engine.dispatch({ kind: 'create', xml: vm('c', '52:54:00:00:00:0c') });
      assert.equal(ip.at(-1), 'link set eth0 vf 0 mac 52:54:00:00:00:0c vlan 7');
      for (const n of ['b', 'c']) await engine.dispatch({ kind: 'destroy', name: n });
      await settled(engine);
      await engine.dispatch({ kind: 'netDestroy', network: 'vfs' });
    } finally {
      await done();
    }
  });

  it('a VF pool network is re-adopted by the next daemon (nothing on the host to look for)', async () => {
    const root = mkdtempSync(join(ROOT, 'restart-'));
    const first = await setup(root);
    try {
      await first.engine.dispatch({ kind: 'netCreate', xml: "<network><name>vfs</name><forward mode='hostdev'><pf dev='eth0'/></forward></network>" });
      await first.engine.close();
      const second = await setup(root, first.pci);
      await second.engine.load();
      assert.equal((await second.engine.dispatch({ kind: 'netGet', network: 'vfs' })).active, true);
      await second.engine.dispatch({ kind: 'netDestroy', network: 'vfs' });
      await second.engine.close();
    } finally {
      await first.done();
    }
  });

  it('a domain that stopped while no daemon ran gives its managed devices back when the next daemon finds it gone', async () => {
    const stores = { config: new MemoryConfigStore(), status: new MemoryStatusStore() };
    const first = await setup(ROOT, undefined, stores);
    try {
      await first.engine.dispatch({ kind: 'define', xml: domain(HOSTDEV) });
      await first.engine.dispatch({ kind: 'start', name: 'pt' });
      assert.equal(await first.pci.driverOf('0000:03:10.2'), 'vfio-pci');
      await first.engine.close();
      // The next daemon's driver finds no such guest alive.
      const second = await setup(ROOT, first.pci, stores);
      await second.engine.load();
      await settled(second.engine);
      assert.equal((await second.engine.dispatch({ kind: 'get', name: 'pt' })).state, 'shutoff');
      assert.equal(await first.pci.driverOf('0000:03:10.2'), 'ixgbevf');
      await second.engine.close();
    } finally {
      await first.done();
    }
  });
});
