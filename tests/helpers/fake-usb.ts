/**
 * A fake host USB tree for src/host/usb: `fakeUsb(spec, root?)` writes each device's directory
 * where the kernel puts it (a root hub usbB under its PCI controller's directory, B-P under usbB,
 * B-P.Q under B-P) with busnum, devnum, idVendor, idProduct, manufacturer, product and speed, a
 * driver link to sys/bus/usb/drivers/usb, one interface directory B-P:1.0 each (which readers
 * must skip), and the sys/bus/usb/devices/NAME links. Given a root (a fake PCI tree's), it
 * writes there and leaves removing it to its owner.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

export interface FakeUsbDevice {
  /** The kernel's name: 'usb1' (a root hub), '1-1', '2-1.4'. */
  readonly sysname: string;
  readonly devnum: number;
  readonly vendor: number;
  readonly product: number;
  readonly manufacturer?: string;
  readonly productName?: string;
  readonly speed?: string;
}

export interface FakeUsbSpec {
  /** The PCI controller (sysfs address) of each bus number. */
  readonly controllers: Readonly<Record<number, string>>;
  readonly devices: readonly FakeUsbDevice[];
}

export interface FakeUsb {
  readonly root: string;
  remove(): Promise<void>;
}

const hex4 = (v: number): string => v.toString(16).padStart(4, '0');
const busOf = (sysname: string): number => Number(/^(?:usb)?(\d+)/.exec(sysname)?.[1] ?? 0);

async function link(target: string, at: string): Promise<void> {
  await mkdir(dirname(at), { recursive: true });
  await symlink(relative(dirname(at), target), at);
}

export async function fakeUsb(spec: FakeUsbSpec, root?: string): Promise<FakeUsb> {
  const base = root ?? await mkdtemp(join(tmpdir(), 'vk-fake-usb-'));
  const sys = join(base, 'sys');
  const dirOf = (name: string): string => {
    const bus = busOf(name);
    if (name.startsWith('usb')) return join(sys, 'devices', `pci${(spec.controllers[bus] ?? '0000:00:14.0').slice(0, 4)}:00`, spec.controllers[bus] ?? '0000:00:14.0', name);
    const dot = name.lastIndexOf('.');
    return join(dot === -1 ? dirOf(`usb${bus}`) : dirOf(name.slice(0, dot)), name);
  };
  const driver = join(sys, 'bus/usb/drivers/usb');
  await mkdir(driver, { recursive: true });
  for (const d of spec.devices) {
    const dir = dirOf(d.sysname);
    await mkdir(dir, { recursive: true });
    const files: Record<string, string | undefined> = {
      busnum: String(busOf(d.sysname)), devnum: String(d.devnum), idVendor: hex4(d.vendor), idProduct: hex4(d.product),
      manufacturer: d.manufacturer, product: d.productName, speed: d.speed ?? '480',
    };
    for (const [f, v] of Object.entries(files)) if (v !== undefined) await writeFile(join(dir, f), `${v}\n`);
    await link(driver, join(dir, 'driver'));
    await link(dir, join(sys, 'bus/usb/devices', d.sysname));
    const iface = `${d.sysname.startsWith('usb') ? `${busOf(d.sysname)}-0` : d.sysname}:1.0`;
    await mkdir(join(dir, iface), { recursive: true });
    await writeFile(join(dir, iface, 'bInterfaceClass'), d.sysname.startsWith('usb') ? '09\n' : '08\n');
    await link(join(dir, iface), join(sys, 'bus/usb/devices', iface));
  }
  return { root: base, remove: () => (root === undefined ? rm(base, { recursive: true, force: true }) : Promise.resolve()) };
}

/**
 * An xHCI controller 0000:00:14.0 (root hub usb1) and an EHCI one 0000:00:1d.0 (usb2); on bus 1 a SanDisk stick
 * 0781:5567 (1-1, device 2) and a Logitech receiver 046d:c52b (1-2, device 3); on bus 2 a hub
 * 05e3:0610 (2-1, device 2) with a second Logitech receiver 046d:c52b behind it (2-1.4, device 3),
 * and a device without manufacturer or product strings, 1d50:6089 (2-2, device 5).
 */
export const USB_HOST: FakeUsbSpec = {
  controllers: { 1: '0000:00:14.0', 2: '0000:00:1d.0' },
  devices: [
    { sysname: 'usb1', devnum: 1, vendor: 0x1d6b, product: 0x0002, manufacturer: 'Linux 6.1.0 xhci-hcd', productName: 'xHCI Host Controller', speed: '480' },
    { sysname: 'usb2', devnum: 1, vendor: 0x1d6b, product: 0x0002, manufacturer: 'Linux 6.1.0 ehci_hcd', productName: 'EHCI Host Controller', speed: '480' },
    { sysname: '1-1', devnum: 2, vendor: 0x0781, product: 0x5567, manufacturer: 'SanDisk', productName: 'Cruzer Blade', speed: '480' },
    { sysname: '1-2', devnum: 3, vendor: 0x046d, product: 0xc52b, manufacturer: 'Logitech', productName: 'USB Receiver', speed: '12' },
    { sysname: '2-1', devnum: 2, vendor: 0x05e3, product: 0x0610, manufacturer: 'GenesysLogic', productName: 'USB2.1 Hub', speed: '480' },
    { sysname: '2-1.4', devnum: 3, vendor: 0x046d, product: 0xc52b, manufacturer: 'Logitech', productName: 'USB Receiver', speed: '12' },
    { sysname: '2-2', devnum: 5, vendor: 0x1d50, product: 0x6089, speed: '480' },
  ],
};
