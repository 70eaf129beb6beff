import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testArgvCaps } from '../../../tests/helpers/argv-caps.js';
import { seeded } from '../../../tests/helpers/seeded-random.js';
import { isVirtkitError } from '../errors.js';
import { buildQemuArgv } from '../qemu/argv/index.js';
import { domainProblems } from '../xml/domain/validate.js';
import { formatDomainXml, parseDomainXml, prepareDomain } from '../xml/domain/index.js';
import { nodedevEntries, nodedevTree } from './list.js';
import { usbNodedevName, usbNodedevXml, type UsbDeviceInfo } from './usb.js';
import { resolveUsbHostdevs } from './usb-hostdevs.js';

const dev = (sysname: string, bus: number, device: number, vendor: number, product: number, parent: string | null): UsbDeviceInfo => ({
  sysname, path: `/sys/devices/pci0000:00/0000:00:14.0/usb${bus}/${sysname}`, parent, bus, device, vendor, product,
  vendorName: 'Acme', productName: 'Widget', speed: '480', driver: 'usb',
});
/** As tests/helpers/fake-usb.ts's USB_HOST, less its root hubs: two 046d:c52b, one 0781:5567. */
const HOST: UsbDeviceInfo[] = [
  dev('1-1', 1, 2, 0x0781, 0x5567, 'usb_usb1'),
  dev('1-2', 1, 3, 0x046d, 0xc52b, 'usb_usb1'),
  dev('2-1.4', 2, 3, 0x046d, 0xc52b, 'usb_2_1'),
];

const xml = (hostdevs: string, controllers = ''): string =>
  `<domain type='qemu'><name>u</name><memory>65536</memory><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>${controllers}${hostdevs}</devices></domain>`;
const usb = (source: string, extra = ''): string => `<hostdev mode='subsystem' type='usb' managed='no'${extra}><source${source}</source></hostdev>`;
const ids = (v: string, p: string): string => `<vendor id='${v}'/><product id='${p}'/>`;
const resolve = (hostdevs: string): ReturnType<typeof resolveUsbHostdevs> => resolveUsbHostdevs(parseDomainXml(xml(hostdevs)), HOST);
const rejects = (code: string, message: RegExp) => (e: unknown): boolean => isVirtkitError(e) && e.code === code && message.test(e.message);

describe('USB host devices (pure)', () => {
  it("names devices as libvirt's udev backend does and writes its node device XML", () => {
    assert.deepEqual(['1-1', '2-1.4', 'usb1'].map(usbNodedevName), ['usb_1_1', 'usb_2_1_4', 'usb_usb1']);
    assert.equal(usbNodedevXml(dev('1-1', 1, 2, 0x0781, 0x5567, 'usb_usb1')), `<device>
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
    <product id='0x5567'>Widget</product>
    <vendor id='0x0781'>Acme</vendor>
  </capability>
</device>
`);
    const bare = usbNodedevXml({ ...dev('2-2', 2, 5, 0x1d50, 0x6089, null), vendorName: null, productName: null, driver: null });
    assert.match(bare, /<parent>computer<\/parent>\n {2}<capability type='usb_device'>[\s\S]*<product id='0x6089' \/>\n {4}<vendor id='0x1d50' \/>/);
  });

  it('lists USB devices under their hub, or under the root when the parent is not listed', () => {
    const entries = nodedevEntries([], undefined, HOST);
    assert.deepEqual(entries.map((e) => `${e.name} < ${e.parent} (${e.cap})`), [
      'usb_1_1 < computer (usb_device)', 'usb_1_2 < computer (usb_device)', 'usb_2_1_4 < computer (usb_device)',
    ]);
    const withHub = nodedevEntries([], ['usb_device'], [...HOST, dev('2-1', 2, 2, 0x05e3, 0x0610, null)]);
    assert.equal(withHub.find((e) => e.name === 'usb_2_1_4')?.parent, 'usb_2_1');
    assert.match(nodedevTree(withHub), /\n {2}\+- usb_2_1\n {6}\|\n {6}\+- usb_2_1_4\n/);
    assert.deepEqual(nodedevEntries([], ['pci'], HOST), []);
  });

  it('resolves vendor/product to the one matching device and fills in its bus and device', () => {
    const r = resolve(usb(`>${ids('0x0781', '0x5567')}`));
    assert.deepEqual(r.devices.map((d) => [d.bus, d.device]), [[1, 2]]);
    const a = r.def.devices?.hostdev?.[0]?.source;
    assert.deepEqual([a?.vendor?.id, a?.product?.id, a?.address?.bus, a?.address?.device], ['0x0781', '0x5567', '1', '2']);
    // bus/device alone, and vendor/product with the address that tells two alike apart
    assert.deepEqual(resolve(usb(">  <address bus='2' device='3'/>")).devices.map((d) => d.bus), [2]);
    assert.deepEqual(resolve(usb(`>${ids('0x046d', '0xc52b')}<address bus='2' device='3'/>`)).devices.map((d) => d.device), [3]);
  });

  it("refuses with libvirt's messages: not found, several alike, address not matching, one device twice", () => {
    assert.throws(() => resolve(usb(`>${ids('0x1234', '0xbeef')}`)), rejects('NODEDEV_NOT_FOUND', /hostdev\[1\]: Did not find USB device 1234:beef \(/));
    assert.throws(() => resolve(usb(`>${ids('0x046d', '0xc52b')}`)), (e: unknown) =>
      rejects('USB_DEVICE_AMBIGUOUS', /Multiple USB devices for 46d:c52b, use <address> to specify one \(bus 1 device 3: usb_1_2, bus 2 device 3: usb_2_1_4\)/)(e)
      && isVirtkitError(e) && (e.details?.candidates as unknown[]).length === 2);
    assert.throws(() => resolve(usb(">  <address bus='1' device='9'/>")), rejects('NODEDEV_NOT_FOUND', /Did not find USB device bus:1 device:9/));
    // domxml-to-native keeps a device given by address as written; vendor/product alone is still looked up
    const kept = resolveUsbHostdevs(parseDomainXml(xml(usb(">  <address bus='1' device='9'/>") + usb(`>${ids('0x0781', '0x5567')}`))), HOST, { keepAddressed: true });
    assert.deepEqual(kept.def.devices?.hostdev?.map((h) => `${h.source?.address?.bus}/${h.source?.address?.device}`), ['1/9', '1/2']);
    assert.throws(() => resolveUsbHostdevs(parseDomainXml(xml(usb(`>${ids('0x1234', '0xbeef')}`))), HOST, { keepAddressed: true }), rejects('NODEDEV_NOT_FOUND', /1234:beef/));
    assert.throws(() => resolve(usb(`>${ids('0x0781', '0x5567')}<address bus='2' device='3'/>`)), rejects('NODEDEV_NOT_FOUND', /Did not find USB device 0781:5567 bus:2 device:3/));
    assert.throws(() => resolve(usb(`>${ids('0x0781', '0x5567')}`) + usb(">  <address bus='1' device='2'/>")), rejects('XML_CONFLICT', /hostdev\[2\]: USB device 001:002 is already assigned by \/domain\/devices\/hostdev\[1\]/));
  });

  it("startupPolicy='optional' leaves a missing device out; 'requisite' and 'mandatory' refuse; several alike refuse whatever the policy", () => {
    const r = resolve(usb(` startupPolicy='optional'>${ids('0x1234', '0xbeef')}`) + usb(`>${ids('0x0781', '0x5567')}`));
    assert.deepEqual(r.def.devices?.hostdev?.map((h) => h.source?.vendor?.id), ['0x0781']);
    assert.match(r.dropped[0] ?? '', /Did not find USB device 1234:beef .*left out \(startupPolicy='optional'\)/);
    const none = resolve(usb(` startupPolicy='optional'>  <address bus='3' device='1'/>`));
    assert.deepEqual([none.devices, none.def.devices?.hostdev], [[], []]);
    assert.doesNotMatch(formatDomainXml(none.def), /<hostdev/);
    for (const p of ['requisite', 'mandatory']) assert.throws(() => resolve(usb(` startupPolicy='${p}'>${ids('0x1234', '0xbeef')}`)), rejects('NODEDEV_NOT_FOUND', /1234:beef/));
    assert.throws(() => resolve(usb(` startupPolicy='optional'>${ids('0x046d', '0xc52b')}`)), rejects('USB_DEVICE_AMBIGUOUS', /Multiple/));
  });

  it('validates the source: vendor with product, bus with device, one form at least; startupPolicy for USB only', () => {
    const problems = (h: string): string[] => domainProblems(parseDomainXml(xml(h))).map((p) => `${p.code} ${p.message}`);
    assert.deepEqual(problems(usb(`>${ids('0x0781', '0x5567')}<address bus='1' device='2'/>`)), []);
    assert.deepEqual(problems(usb(">  <vendor id='0x0781'/>")), ["XML_MISSING /domain/devices/hostdev/source/product: a USB <vendor id=.../> needs a <product id=.../>"]);
    assert.deepEqual(problems(usb(">  <address bus='1'/>")), ['XML_MISSING /domain/devices/hostdev/source/address/@device: a USB address needs the device number']);
    assert.match(problems(usb('>'))[0] ?? '', /^XML_MISSING \/domain\/devices\/hostdev\/source: a USB host device needs/);
    assert.match(problems("<hostdev mode='subsystem' type='pci'><source startupPolicy='optional'><address domain='0' bus='1' slot='0' function='0'/></source></hostdev>")[0] ?? '', /^XML_CONFLICT .*startupPolicy is only allowed for USB devices/);
  });

  it('round-trips every form of the source and the guest-side USB address', () => {
    const h = usb(` startupPolicy='optional'>${ids('0x1234', '0xbeef')}<address bus='1' device='3'/>`).replace('</hostdev>', "<address type='usb' bus='0' port='1'/></hostdev>");
    const once = parseDomainXml(xml(h));
    const text = formatDomainXml(once);
    assert.match(text, /<hostdev mode='subsystem' type='usb' managed='no'>\s*<source startupPolicy='optional'>\s*<vendor id='0x1234'\/>\s*<product id='0xbeef'\/>\s*<address bus='1' device='3'\/>\s*<\/source>\s*<address type='usb' bus='0' port='1'\/>\s*<\/hostdev>/);
    assert.deepEqual(parseDomainXml(text), once);
  });

  it('gives QEMU the resolved device as hostdevice=/dev/bus/usb/BBB/DDD on the USB bus; no USB controller is an error', () => {
    const r = resolve(usb(`>${ids('0x0781', '0x5567')}`));
    const argv = buildQemuArgv(prepareDomain(r.def, { random: seeded(1) }), testArgvCaps(), { libDir: '/run/vk/u', monitor: { path: '/run/vk/u/m.sock' } });
    assert.ok(argv.args.includes('{"driver":"usb-host","hostdevice":"/dev/bus/usb/001/002","id":"hostdev0","bus":"usb.0","port":"1"}'), argv.args.join(' '));
    assert.throws(() => prepareDomain(parseDomainXml(xml(usb(">  <address bus='1' device='2'/>"), "<controller type='usb' model='none'/>")), { random: seeded(1) }),
      rejects('XML_CONFLICT', /USB is disabled for this domain/));
  });
});
