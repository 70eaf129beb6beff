/**
 * libvirt's hostdev-usb-address case (../shared/libvirt-cases/domain) reached the way a start
 * reaches it: the same domain written with <vendor>/<product> instead of the address, resolved
 * against a fake host USB tree whose one device with those ids is bus 14 device 6, must give
 * libvirt's expected command line, hostdevice=/dev/bus/usb/014/006 included. Then the same ids
 * on two devices, and on none, give libvirt's errors. Skipped without ../shared.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isVirtkitError } from '../../src/core/errors.js';
import { resolveUsbHostdevs } from '../../src/core/nodedev/usb-hostdevs.js';
import { buildQemuArgv } from '../../src/core/qemu/argv/index.js';
import { formatDomainXml, parseDomainXml } from '../../src/core/xml/domain/index.js';
import { listUsbDevices } from '../../src/host/usb/read.js';
import { fakeUsb, type FakeUsb } from '../helpers/fake-usb.js';
import { qemu72Caps } from './caps.js';
import { libvirtTestPaths, loadCases, needsShared, preparedDef, testLibDir } from './cases.js';
import { diffNormalized, normalizeArgs, parseArgsText } from './normalize.js';

const DEVICE = { vendor: 0x0781, product: 0x5567 };

describe('USB host device by vendor/product against libvirt hostdev-usb-address', needsShared('domain'), () => {
  let host: FakeUsb;
  before(async () => {
    host = await fakeUsb({
      controllers: { 14: '0000:00:14.0', 15: '0000:00:14.0' },
      devices: [
        { sysname: 'usb14', devnum: 1, vendor: 0x1d6b, product: 0x0002 },
        { sysname: '14-2', devnum: 6, ...DEVICE },
        { sysname: '14-3', devnum: 7, vendor: 0x046d, product: 0xc52b },
        { sysname: 'usb15', devnum: 1, vendor: 0x1d6b, product: 0x0002 },
        { sysname: '15-1', devnum: 2, vendor: 0x046d, product: 0xc52b },
      ],
    });
  });
  after(() => host.remove());

  test('resolved, it gives the case\'s expected argv; ambiguous or absent ids give libvirt\'s errors', async () => {
    const c = loadCases().find((x) => x.name === 'hostdev-usb-address');
    assert.ok(c, 'INDEX.tsv lists hostdev-usb-address');
    assert.match(c.inputXml, /<address bus='14' device='6'\/>/);
    const byIds = (v: string, p: string): string => c.inputXml.replace("<address bus='14' device='6'/>", `<vendor id='${v}'/><product id='${p}'/>`);
    const devices = await listUsbDevices(host.root);
    const r = resolveUsbHostdevs(parseDomainXml(byIds('0x0781', '0x5567')), devices);
    assert.deepEqual(r.devices.map((d) => [d.bus, d.device]), [[14, 6]]);
    const def = preparedDef(formatDomainXml(r.def));
    const argv = buildQemuArgv(def, qemu72Caps(), libvirtTestPaths(def));
    const exp = parseArgsText(c.expectedArgs);
    const libDir = testLibDir(def.name);
    assert.deepEqual(diffNormalized(normalizeArgs(argv.args, { libDir }), normalizeArgs(exp.args, { libDir })), []);
    assert.throws(() => resolveUsbHostdevs(parseDomainXml(byIds('0x046d', '0xc52b')), devices), (e: unknown) =>
      isVirtkitError(e) && e.code === 'USB_DEVICE_AMBIGUOUS' && /Multiple USB devices for 46d:c52b, use <address> to specify one/.test(e.message));
    assert.throws(() => resolveUsbHostdevs(parseDomainXml(byIds('0x1234', '0xbeef')), devices), (e: unknown) =>
      isVirtkitError(e) && e.code === 'NODEDEV_NOT_FOUND' && /Did not find USB device 1234:beef/.test(e.message));
  });
});
