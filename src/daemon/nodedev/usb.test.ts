import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fakeEngine } from '../../../tests/helpers/fake-engine.js';
import { fakePci, TWO_NIC_HOST, type FakePci } from '../../../tests/helpers/fake-pci.js';
import { fakeUsb, USB_HOST } from '../../../tests/helpers/fake-usb.js';
import { isVirtkitError } from '../../core/errors.js';
import { PciHost } from '../../host/pci/bind.js';
import type { Engine } from '../engine/engine.js';

const ROOT = mkdtempSync(join(tmpdir(), 'vk-usbdev-'));
after(() => rmSync(ROOT, { recursive: true, force: true }));

const rejects = (code: string, message: RegExp) => (e: unknown): boolean => isVirtkitError(e) && e.code === code && message.test(e.message);

async function setup(): Promise<{ engine: Engine; pci: FakePci; warnings: string[]; done: () => Promise<void> }> {
  const pci = await fakePci({ devices: [...TWO_NIC_HOST.devices, ...CONTROLLERS] });
  await fakeUsb(USB_HOST, pci.root);
  const warnings: string[] = [];
  const noop = (): void => undefined;
  const engine = fakeEngine({
    root: ROOT,
    log: { info: noop, warn: (m: string) => { warnings.push(m); }, error: noop },
    nodedevs: { pci: new PciHost({ root: pci.root, write: pci.write }), ip: () => Promise.reject(new Error('no ip expected')) },
  });
  return { engine, pci, warnings, done: () => pci.remove() };
}

/** USB_HOST's two controllers, so that its root hubs have their PCI parents. */
const CONTROLLERS = [
  { address: '0000:00:14.0', class: 0x0c0330, vendor: 0x8086, device: 0xa36d, driver: 'xhci_hcd', iommuGroup: 5 },
  { address: '0000:00:1d.0', class: 0x0c0320, vendor: 0x8086, device: 0x1e26, driver: 'ehci-pci', iommuGroup: 6 },
];
const vm = (name: string, hostdevs: string): string => `<domain type='qemu'><name>${name}</name><memory>131072</memory><devices>${hostdevs}</devices></domain>`;
const byIds = (v: string, p: string, extra = ''): string => `<hostdev mode='subsystem' type='usb' managed='yes'><source${extra}><vendor id='${v}'/><product id='${p}'/></source></hostdev>`;
const byAddr = (bus: number, device: number): string => `<hostdev mode='subsystem' type='usb'><source><address bus='${bus}' device='${device}'/></source></hostdev>`;
const settled = (engine: Engine): Promise<void> => engine.ctx.nodedevs.serial(() => Promise.resolve());

describe('USB host devices through the engine (fake sysfs)', () => {
  it('nodedev-list --cap usb_device and nodedev-dumpxml usb_N_M', async () => {
    const { engine, done } = await setup();
    try {
      const usb = await engine.dispatch({ kind: 'nodedevList', caps: ['usb_device'] });
      assert.deepEqual(usb.map((e) => `${e.name} < ${e.parent}`), [
        'usb_1_1 < usb_usb1', 'usb_1_2 < usb_usb1', 'usb_2_1 < usb_usb2', 'usb_2_1_4 < usb_2_1', 'usb_2_2 < usb_usb2',
        'usb_usb1 < pci_0000_00_14_0', 'usb_usb2 < pci_0000_00_1d_0',
      ]);
      const all = await engine.dispatch({ kind: 'nodedevList' });
      assert.equal(all.length, 13 + 7);
      assert.equal(all.find((e) => e.name === 'usb_usb1')?.parent, 'pci_0000_00_14_0');
      assert.equal((await engine.dispatch({ kind: 'nodedevList', caps: ['pci'] })).some((e) => e.cap === 'usb_device'), false);
      const x = await engine.dispatch({ kind: 'nodedevXml', name: 'usb_2_1_4' });
      assert.match(x, /<path>\/sys\/devices\/pci0000:00\/0000:00:1d\.0\/usb2\/2-1\/2-1\.4<\/path>\n {2}<devnode type='dev'>\/dev\/bus\/usb\/002\/003<\/devnode>\n {2}<parent>usb_2_1<\/parent>/);
      assert.match(x, /<product id='0xc52b'>USB Receiver<\/product>\n {4}<vendor id='0x046d'>Logitech<\/vendor>/);
      await assert.rejects(engine.dispatch({ kind: 'nodedevXml', name: 'usb_9_9' }), rejects('NODEDEV_NOT_FOUND', /usb_9_9/));
      await assert.rejects(engine.dispatch({ kind: 'nodedevDetach', name: 'usb_1_1' }), rejects('INVALID_ARGUMENT', /not a PCI node device/));
    } finally {
      await done();
    }
  });

  it('a start resolves vendor/product to bus/device (the live XML shows it), holds the device until the domain stops', async () => {
    const { engine, done } = await setup();
    try {
      await engine.dispatch({ kind: 'create', xml: vm('a', byIds('0x0781', '0x5567')) });
      const live = await engine.dispatch({ kind: 'dumpxml', name: 'a' });
      assert.match(live, /<vendor id='0x0781'\/>\s*<product id='0x5567'\/>\s*<address bus='1' device='2'\/>\s*<\/source>\s*<address type='usb' bus='0' port='1'\/>/);
      assert.doesNotMatch(await engine.dispatch({ kind: 'dumpxml', name: 'a', inactive: true }), /<address bus=/);
      await assert.rejects(engine.dispatch({ kind: 'create', xml: vm('b', byAddr(1, 2)) }), rejects('OPERATION_INVALID', /USB device 001:002 is in use by domain 'a'/));
      assert.equal((await engine.dispatch({ kind: 'get', name: 'b' }).catch(() => undefined))?.state, undefined);
      await engine.dispatch({ kind: 'destroy', name: 'a' });
      await settled(engine);
      await engine.dispatch({ kind: 'create', xml: vm('b', byAddr(1, 2)) });
      await engine.dispatch({ kind: 'destroy', name: 'b' });
      await settled(engine);
    } finally {
      await done();
    }
  });

  it("refuses with libvirt's errors before anything runs; an optional missing device is left out with a warning", async () => {
    const { engine, warnings, done } = await setup();
    try {
      await engine.dispatch({ kind: 'define', xml: vm('c', byIds('0x046d', '0xc52b')) });
      await assert.rejects(engine.dispatch({ kind: 'start', name: 'c' }), rejects('USB_DEVICE_AMBIGUOUS', /Multiple USB devices for 46d:c52b, use <address> to specify one/));
      assert.equal((await engine.dispatch({ kind: 'get', name: 'c' })).state, 'shutoff');
      await engine.dispatch({ kind: 'define', xml: vm('c', byIds('0x1234', '0xbeef')) });
      await assert.rejects(engine.dispatch({ kind: 'start', name: 'c' }), rejects('NODEDEV_NOT_FOUND', /Did not find USB device 1234:beef/));
      await engine.dispatch({ kind: 'define', xml: vm('c', byIds('0x1234', '0xbeef', " startupPolicy='optional'") + byIds('0x046d', '0xc52b').replace('</source>', "<address bus='2' device='3'/></source>")) });
      await engine.dispatch({ kind: 'start', name: 'c' });
      const live = await engine.dispatch({ kind: 'dumpxml', name: 'c' });
      assert.equal(live.match(/<hostdev /g)?.length, 1);
      assert.match(live, /<vendor id='0x046d'\/>\s*<product id='0xc52b'\/>\s*<address bus='2' device='3'\/>/);
      assert.deepEqual(warnings.filter((w) => /1234:beef/.test(w)).length, 1);
      assert.deepEqual([...engine.ctx.nodedevs.usbClaims], [['002:003', 'c']]);
      await engine.dispatch({ kind: 'destroy', name: 'c' });
      await settled(engine);
      assert.equal(engine.ctx.nodedevs.usbClaims.size, 0);
    } finally {
      await done();
    }
  });
});
