/**
 * A domain's USB host devices (<hostdev mode='subsystem' type='usb'>) resolved against the
 * host's USB devices before start, as libvirt's virHostdevFindUSBDevice does:
 *   vendor+product          exactly one device with those ids, else "Did not find USB device
 *                           1234:beef" / "Multiple USB devices for 1234:beef, use <address> to
 *                           specify one"; the device's bus and device are written into the source
 *   bus+device              that device must exist ("Did not find USB device bus:1 device:3")
 *   vendor+product+address  the device at that address must have those ids
 * A missing device with startupPolicy='optional' is dropped from the definition that starts
 * (libvirt keeps it, marked missing, as a usb-host with no host device; see docs/passthrough.md);
 * 'mandatory' and 'requisite' (a cold boot) refuse the start. Several devices with the same ids
 * are refused whatever the policy (libvirt too). Pure.
 */
import { VirtkitError } from '../errors.js';
import type { DomainDef } from '../xml/domain/schema/domain.js';
import { usbBusDevice, usbNodedevName, type UsbDeviceInfo } from './usb.js';

type Hostdev = NonNullable<NonNullable<DomainDef['devices']>['hostdev']>[number];

export interface DomainUsbDevice {
  readonly bus: number;
  readonly device: number;
  /** Where in the XML, for messages. */
  readonly where: string;
}

export interface UsbResolution {
  /** `def` with each USB host device's <address bus= device=> filled in and the dropped ones gone. */
  readonly def: DomainDef;
  readonly devices: readonly DomainUsbDevice[];
  /** Messages for the optional devices left out. */
  readonly dropped: readonly string[];
}

const hex = (v: number): string => v.toString(16);
const hex4 = (v: number): string => v.toString(16).padStart(4, '0');
const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));
const where = (i: number): string => `/domain/devices/hostdev[${i + 1}]`;

/** The USB host devices of a definition whose address is known (a running domain's live XML). */
export function domainUsbDevices(def: DomainDef): DomainUsbDevice[] {
  const out: DomainUsbDevice[] = [];
  (def.devices?.hostdev ?? []).forEach((h, i) => {
    const bus = num(h.source?.address?.bus);
    const device = num(h.source?.address?.device);
    if (h.type === 'usb' && bus !== undefined && device !== undefined) out.push({ bus, device, where: where(i) });
  });
  return out;
}

export function hasUsbHostdevs(def: DomainDef): boolean {
  return (def.devices?.hostdev ?? []).some((h) => h.type === 'usb');
}

const notFound = (w: string, what: string, details: Record<string, unknown>): VirtkitError =>
  new VirtkitError('NODEDEV_NOT_FOUND', `${w}: Did not find USB device ${what} (see virtkit nodedev-list --cap usb_device)`, { details: { path: w, ...details } });

/** The host device `h` names, null when it is missing (the caller decides by its startupPolicy). */
function findOne(h: Hostdev, w: string, host: readonly UsbDeviceInfo[]): UsbDeviceInfo | { missing: VirtkitError } {
  const s = h.source;
  const vendor = num(s?.vendor?.id);
  const product = num(s?.product?.id);
  const bus = num(s?.address?.bus);
  const device = num(s?.address?.device);
  if (vendor !== undefined && product !== undefined) {
    if (bus !== undefined && device !== undefined) {
      const d = host.find((x) => x.vendor === vendor && x.product === product && x.bus === bus && x.device === device);
      return d ?? { missing: notFound(w, `${hex4(vendor)}:${hex4(product)} bus:${bus} device:${device}`, { vendor, product, bus, device }) };
    }
    const all = host.filter((x) => x.vendor === vendor && x.product === product);
    if (all.length > 1) {
      throw new VirtkitError('USB_DEVICE_AMBIGUOUS', `${w}: Multiple USB devices for ${hex(vendor)}:${hex(product)}, use <address> to specify one (${all.map((x) => `bus ${x.bus} device ${x.device}: ${usbNodedevName(x.sysname)}`).join(', ')})`, {
        details: { path: w, vendor, product, candidates: all.map((x) => ({ bus: x.bus, device: x.device, name: usbNodedevName(x.sysname) })) },
      });
    }
    return all[0] ?? { missing: notFound(w, `${hex4(vendor)}:${hex4(product)}`, { vendor, product }) };
  }
  if (bus !== undefined && device !== undefined) {
    return host.find((x) => x.bus === bus && x.device === device) ?? { missing: notFound(w, `bus:${bus} device:${device}`, { bus, device }) };
  }
  throw new VirtkitError('XML_MISSING', `${w}/source: a USB host device needs <vendor id=.../><product id=.../> or <address bus=... device=.../>`, { details: { path: w } });
}

/**
 * `keepAddressed`: a device whose source has its bus and device is kept as written, unchecked
 * (domxml-to-native, as libvirt's, does not look at the host for those); only the devices given
 * by vendor/product alone are looked up.
 */
export function resolveUsbHostdevs(def: DomainDef, host: readonly UsbDeviceInfo[], opts: { readonly keepAddressed?: boolean } = {}): UsbResolution {
  const list = def.devices?.hostdev ?? [];
  if (!list.some((h) => h.type === 'usb')) return { def, devices: [], dropped: [] };
  const kept: Hostdev[] = [];
  const devices: DomainUsbDevice[] = [];
  const dropped: string[] = [];
  const taken = new Map<string, string>();
  list.forEach((h, i) => {
    if (h.type !== 'usb' || (opts.keepAddressed === true && h.source?.address?.bus !== undefined && h.source.address.device !== undefined)) { kept.push(h); return; }
    const w = where(i);
    const found = findOne(h, w, host);
    if ('missing' in found) {
      // A cold boot: only 'optional' lets a device be missing (requisite matters on restore and migration).
      if (h.source?.startupPolicy !== 'optional') throw found.missing;
      dropped.push(`${found.missing.message}: left out (startupPolicy='optional')`);
      return;
    }
    const key = usbBusDevice(found.bus, found.device);
    const prev = taken.get(key);
    if (prev !== undefined) throw new VirtkitError('XML_CONFLICT', `${w}: USB device ${key} is already assigned by ${prev}`, { details: { path: w, bus: found.bus, device: found.device } });
    taken.set(key, w);
    devices.push({ bus: found.bus, device: found.device, where: w });
    kept.push({ ...h, source: { ...h.source, address: { ...h.source?.address, bus: String(found.bus), device: String(found.device) } } });
  });
  return { def: { ...def, devices: { ...def.devices, hostdev: kept } }, devices, dropped };
}
