/**
 * Reads the host's USB devices from sysfs under a root that tests point at a fake tree
 * (tests/helpers/fake-usb.ts); on a real host the root is '/'. Each sys/bus/usb/devices/NAME
 * (a link into sys/devices/...) that is a device, not an interface (those have a ':' in their
 * name, as libvirt's virUSBDeviceSearch skips them): busnum, devnum, idVendor, idProduct,
 * manufacturer, product, speed and the driver link. Root hubs (usb1) are devices too.
 */
import { readFile, readdir, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { nodedevName, parseSysfsAddress } from '../../core/nodedev/pci-address.js';
import { usbNodedevName, type UsbDeviceInfo } from '../../core/nodedev/usb.js';

const read = (p: string): Promise<string | undefined> => readFile(p, 'utf8').then((s) => s.trim(), () => undefined);
const DEVICE_NAME = /^(usb\d+|\d+-[\d.]+)$/;

const usbDevicesDir = (root: string): string => join(root, 'sys/bus/usb/devices');

/** The parent's node device name: a USB device (hub or root hub), a PCI controller, else none. */
function parentName(dir: string): string | null {
  const p = basename(dirname(dir));
  if (DEVICE_NAME.test(p)) return usbNodedevName(p);
  return parseSysfsAddress(p) === undefined ? null : nodedevName(p);
}

/** One device, or undefined when `name` is no device (an interface, or files missing). */
async function readUsbDevice(root: string, realRoot: string, name: string): Promise<UsbDeviceInfo | undefined> {
  const dir = join(usbDevicesDir(root), name);
  const real = await realpath(dir).catch(() => undefined);
  if (real === undefined) return undefined;
  const [busnum, devnum, vendor, product, manufacturer, productName, speed, driver] = await Promise.all([
    read(join(dir, 'busnum')), read(join(dir, 'devnum')), read(join(dir, 'idVendor')), read(join(dir, 'idProduct')),
    read(join(dir, 'manufacturer')), read(join(dir, 'product')), read(join(dir, 'speed')),
    readlink(join(dir, 'driver')).then((l) => basename(l), () => undefined),
  ]);
  const bus = Number(busnum);
  const device = Number(devnum);
  if (busnum === undefined || devnum === undefined || !Number.isInteger(bus) || !Number.isInteger(device)) return undefined;
  return {
    sysname: name,
    // libvirt's <path>: where the device really lives, as the host (not the test root) sees it.
    path: `/${relative(realRoot, real)}`,
    parent: parentName(real),
    bus, device,
    vendor: Number.parseInt(vendor ?? '0', 16) || 0,
    product: Number.parseInt(product ?? '0', 16) || 0,
    vendorName: manufacturer ?? null,
    productName: productName ?? null,
    speed: speed ?? null,
    driver: driver ?? null,
  };
}

/** Every USB device, sorted by bus, then device number. */
export async function listUsbDevices(root: string): Promise<UsbDeviceInfo[]> {
  const names = (await readdir(usbDevicesDir(root)).catch(() => [] as string[])).filter((n) => !n.includes(':'));
  const realRoot = await realpath(root);
  const all = await Promise.all(names.map((n) => readUsbDevice(root, realRoot, n)));
  return all.filter((d): d is UsbDeviceInfo => d !== undefined).sort((a, b) => a.bus - b.bus || a.device - b.device);
}
