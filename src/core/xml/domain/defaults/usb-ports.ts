/**
 * USB ports for USB devices (virDomainUSBAddressSet*): every USB controller
 * index is a bus with a model-dependent number of root ports (or ports=);
 * explicit ports are reserved first, then devices take the first free port
 * of the first bus, in libvirt's virDomainUSBDeviceDefForeach order:
 * host devices, disks, inputs, serials, sounds.
 * Hubs are not added automatically: running out of ports is an error.
 */
import type { Addressable } from './devices.js';
import type { DomainDef } from './types.js';
import { devicePath, fail } from './types.js';

const PORTS: Record<string, number> = {
  'piix3-uhci': 2,
  'piix4-uhci': 2,
  'vt82c686b-uhci': 2,
  // UHCI companions lend their ports to the ICH9 EHCI of the same index.
  'ich9-uhci1': 0,
  'ich9-uhci2': 0,
  'ich9-uhci3': 0,
  'pci-ohci': 3,
  ehci: 6,
  'ich9-ehci1': 6,
  'nec-xhci': 4,
  'qemu-xhci': 4,
};

interface UsbDev {
  dev: Addressable;
  path: string;
}

function usbDevices(def: DomainDef): UsbDev[] {
  const d = def.devices ?? {};
  const out: UsbDev[] = [];
  const add = <T extends Addressable>(kind: string, list: T[] | undefined, pick: (x: T) => boolean): void => {
    (list ?? []).forEach((x, i) => {
      if (pick(x)) out.push({ dev: x, path: devicePath(kind, list ?? [], i) });
    });
  };
  add('hostdev', d.hostdev, (h) => h.type === 'usb');
  add('disk', d.disk, (x) => x.target?.bus === 'usb');
  add('input', d.input, (x) => x.bus === 'usb');
  add('serial', d.serial, (x) => x.target?.type === 'usb-serial');
  add('sound', d.sound, (x) => x.model === 'usb');
  return out;
}

export function assignUsbPorts(def: DomainDef): void {
  const devs = usbDevices(def);
  if (devs.length === 0) return;
  const buses = new Map<number, number>();
  let disabled = false;
  for (const c of def.devices?.controller ?? []) {
    if (c.type !== 'usb') continue;
    if (c.model === 'none') {
      disabled = true;
      continue;
    }
    const ports = PORTS[c.model ?? 'piix3-uhci'] === 0 ? 0 : (c.ports ?? PORTS[c.model ?? ''] ?? 2);
    if (ports > 0) buses.set(c.index ?? 0, ports);
  }
  if (buses.size === 0) {
    const first = devs[0];
    throw fail('XML_CONFLICT', first?.path ?? '/domain/devices', disabled ? 'USB is disabled for this domain (controller model none), but this USB device needs it' : 'there is no USB controller for this USB device');
  }
  const used = new Map<string, string>();
  for (const { dev, path } of devs) {
    const a = dev.address;
    if (a && a.type !== 'usb') throw fail('XML_CONFLICT', `${path}/address`, `a USB device needs a usb address, not '${a.type}'`);
    if (!a || a.port === undefined) continue;
    const ports = buses.get(a.bus);
    if (ports === undefined) throw fail('XML_CONFLICT', `${path}/address/@bus`, `there is no USB controller with index ${a.bus}`);
    const root = Number(a.port.split('.')[0]);
    if (root < 1 || root > ports) throw fail('ADDRESS_CONFLICT', `${path}/address/@port`, `USB bus ${a.bus} has ports 1-${ports}, not ${a.port}`);
    const key = `${a.bus}:${a.port}`;
    const prev = used.get(key);
    if (prev !== undefined) throw fail('ADDRESS_CONFLICT', `${path}/address`, `USB port ${a.bus}.${a.port} is already used by ${prev}`);
    used.set(key, path);
    used.set(`${a.bus}:${root}`, used.get(`${a.bus}:${root}`) ?? path);
  }
  const order = [...buses.keys()].sort((x, y) => x - y);
  for (const { dev, path } of devs) {
    const a = dev.address;
    if (a?.type === 'usb' && a.port !== undefined) continue;
    const candidates = a?.type === 'usb' ? [a.bus] : order;
    let done = false;
    for (const bus of candidates) {
      const ports = buses.get(bus);
      if (ports === undefined) throw fail('XML_CONFLICT', `${path}/address/@bus`, `there is no USB controller with index ${bus}`);
      for (let p = 1; p <= ports && !done; p++) {
        if (used.has(`${bus}:${p}`)) continue;
        dev.address = { type: 'usb', bus, port: String(p) };
        used.set(`${bus}:${p}`, path);
        done = true;
      }
      if (done) break;
    }
    if (!done) throw fail('ADDRESS_CONFLICT', path, 'no free USB port: raise the controller ports= or add a USB hub');
  }
}
