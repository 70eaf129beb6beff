/**
 * Host USB devices as data: what src/host/usb reads from sysfs (sys/bus/usb/devices/*), libvirt's
 * node device name for one (udevGenerateDeviceName: "usb_" + the sysfs name with every
 * non-alphanumeric character made '_': usb_1_1, usb_2_1_4, usb_usb1 for a root hub), and its
 * node device XML (virNodeDeviceDefFormat with virNodeDeviceCapUSBDevDefFormat), in libvirt's
 * element order. Product and vendor names are sysfs' `product` and `manufacturer` (libvirt
 * takes them from the hwdb first, then from these files). Pure.
 */
import { escapeXmlText } from '../xml/tree.js';

export interface UsbDeviceInfo {
  /** The kernel's name: '1-1', '2-1.4', 'usb1' (a root hub). */
  readonly sysname: string;
  /** The device's real sysfs directory (/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1), as libvirt's <path>. */
  readonly path: string;
  /** The parent's node device name (usb_usb1, pci_0000_00_14_0), null when it is none virtkit names. */
  readonly parent: string | null;
  readonly bus: number;
  readonly device: number;
  readonly vendor: number;
  readonly product: number;
  /** sysfs `manufacturer` and `product` strings, null when absent. */
  readonly vendorName: string | null;
  readonly productName: string | null;
  /** sysfs `speed` in Mbit/s as the kernel writes it ('1.5', '12', '480', '5000'), null when absent. */
  readonly speed: string | null;
  /** The bound driver ('usb' for a device, 'hub' never: that is an interface's), null when unbound. */
  readonly driver: string | null;
}

export function usbNodedevName(sysname: string): string {
  return `usb_${sysname.replace(/[^A-Za-z0-9]/g, '_')}`;
}

const p3 = (n: number): string => String(n).padStart(3, '0');

/** The device node QEMU opens: /dev/bus/usb/BBB/DDD. */
function usbDevnode(bus: number, device: number): string {
  return `/dev/bus/usb/${p3(bus)}/${p3(device)}`;
}

/** "001:002", libvirt's name for a USB device in its messages. */
export function usbBusDevice(bus: number, device: number): string {
  return `${p3(bus)}:${p3(device)}`;
}

const hex4 = (v: number): string => `0x${v.toString(16).padStart(4, '0')}`;

function idElem(tag: string, id: number, name: string | null): string {
  // libvirt writes " />" (with a space) when it has no name.
  return name === null ? `    <${tag} id='${hex4(id)}' />\n` : `    <${tag} id='${hex4(id)}'>${escapeXmlText(name)}</${tag}>\n`;
}

export function usbNodedevXml(d: UsbDeviceInfo): string {
  let x = '<device>\n';
  x += `  <name>${escapeXmlText(usbNodedevName(d.sysname))}</name>\n`;
  x += `  <path>${escapeXmlText(d.path)}</path>\n`;
  x += `  <devnode type='dev'>${usbDevnode(d.bus, d.device)}</devnode>\n`;
  x += `  <parent>${escapeXmlText(d.parent ?? 'computer')}</parent>\n`;
  if (d.driver !== null) x += `  <driver>\n    <name>${escapeXmlText(d.driver)}</name>\n  </driver>\n`;
  x += "  <capability type='usb_device'>\n";
  x += `    <bus>${d.bus}</bus>\n    <device>${d.device}</device>\n`;
  x += idElem('product', d.product, d.productName);
  x += idElem('vendor', d.vendor, d.vendorName);
  x += '  </capability>\n</device>\n';
  return x;
}
