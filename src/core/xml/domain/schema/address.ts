/**
 * <address type='...'/>: a custom spec because the attributes and their
 * formatting (hex for PCI, decimal for drive) depend on the type.
 */
import { VirtkitError } from '../../../errors.js';
import { custom } from '../../schema.js';
import type { XmlElement } from '../../tree.js';
import { onOff, uint } from '../../values.js';

export interface PciAddress {
  type: 'pci';
  domain: number;
  bus: number;
  slot: number;
  function: number;
  multifunction?: boolean;
}
export interface DriveAddress {
  type: 'drive';
  controller: number;
  bus: number;
  target: number;
  unit: number;
}
export interface VirtioSerialAddress {
  type: 'virtio-serial';
  controller: number;
  bus: number;
  port?: number;
}
export interface UsbAddress {
  type: 'usb';
  bus: number;
  port?: string;
}
export interface IsaAddress {
  type: 'isa';
  iobase?: number;
  irq?: number;
}
export interface CcidAddress {
  type: 'ccid';
  controller: number;
  slot: number;
}
export interface UnassignedAddress {
  type: 'unassigned';
}
export type DeviceAddress = PciAddress | DriveAddress | VirtioSerialAddress | UsbAddress | IsaAddress | CcidAddress | UnassignedAddress;

const FIELDS: Record<DeviceAddress['type'], readonly string[]> = {
  pci: ['domain', 'bus', 'slot', 'function', 'multifunction'],
  drive: ['controller', 'bus', 'target', 'unit'],
  'virtio-serial': ['controller', 'bus', 'port'],
  usb: ['bus', 'port'],
  isa: ['iobase', 'irq'],
  ccid: ['controller', 'slot'],
  unassigned: [],
};

function num(el: XmlElement, name: string, dflt: number | undefined, max?: number): number | undefined {
  const raw = el.attrs.find(([k]) => k === name)?.[1];
  if (raw === undefined) return dflt;
  let n: number;
  try {
    n = uint.parse(raw);
  } catch (e) {
    throw new VirtkitError('XML_INVALID_VALUE', `${el.path}/@${name}: '${raw}' ${(e as Error).message}`, { details: { path: `${el.path}/@${name}` } });
  }
  if (max !== undefined && n > max) {
    throw new VirtkitError('XML_INVALID_VALUE', `${el.path}/@${name}: ${raw} is out of range (at most ${max})`, { details: { path: `${el.path}/@${name}` } });
  }
  return n;
}

function need(v: number | undefined): number {
  return v ?? 0;
}

export function parseAddress(el: XmlElement): DeviceAddress {
  const type = el.attrs.find(([k]) => k === 'type')?.[1];
  if (type === undefined) throw new VirtkitError('XML_MISSING', `${el.path}: <address> needs a type`, { details: { path: el.path } });
  if (!(type in FIELDS)) {
    throw new VirtkitError('XML_UNSUPPORTED', `${el.path}/@type: address type '${type}' is not supported (use pci, drive, virtio-serial, usb, isa, ccid)`, {
      details: { path: `${el.path}/@type` },
    });
  }
  const t = type as DeviceAddress['type'];
  const allowed = new Set(['type', ...(FIELDS[t] ?? [])]);
  for (const [k] of el.attrs) {
    if (!allowed.has(k)) {
      throw new VirtkitError('XML_UNSUPPORTED', `${el.path}/@${k}: attribute '${k}' does not apply to a ${t} address`, { details: { path: `${el.path}/@${k}` } });
    }
  }
  if (el.children.length > 0 || el.text.trim() !== '') {
    throw new VirtkitError('XML_UNSUPPORTED', `${el.path}: <address> takes no content`, { details: { path: el.path } });
  }
  switch (t) {
    case 'pci': {
      const mf = el.attrs.find(([k]) => k === 'multifunction')?.[1];
      const a: PciAddress = {
        type: 'pci',
        domain: need(num(el, 'domain', 0, 0xffff)),
        bus: need(num(el, 'bus', 0, 0xff)),
        slot: need(num(el, 'slot', 0, 0x1f)),
        function: need(num(el, 'function', 0, 7)),
      };
      if (mf !== undefined) {
        try {
          a.multifunction = onOff.parse(mf);
        } catch (e) {
          throw new VirtkitError('XML_INVALID_VALUE', `${el.path}/@multifunction: '${mf}' ${(e as Error).message}`, { details: { path: el.path } });
        }
      }
      return a;
    }
    case 'drive':
      return {
        type: 'drive',
        controller: need(num(el, 'controller', 0)),
        bus: need(num(el, 'bus', 0)),
        target: need(num(el, 'target', 0)),
        unit: need(num(el, 'unit', 0)),
      };
    case 'virtio-serial': {
      const port = num(el, 'port', undefined);
      return { type: 'virtio-serial', controller: need(num(el, 'controller', 0)), bus: need(num(el, 'bus', 0)), ...(port === undefined ? {} : { port }) };
    }
    case 'usb': {
      const port = el.attrs.find(([k]) => k === 'port')?.[1];
      if (port !== undefined && !/^[0-9]+(\.[0-9]+){0,4}$/.test(port)) {
        throw new VirtkitError('XML_INVALID_VALUE', `${el.path}/@port: '${port}' is not a USB port path like 1 or 1.2`, { details: { path: el.path } });
      }
      return { type: 'usb', bus: need(num(el, 'bus', 0)), ...(port === undefined ? {} : { port }) };
    }
    case 'isa': {
      const iobase = num(el, 'iobase', undefined);
      const irq = num(el, 'irq', undefined);
      return { type: 'isa', ...(iobase === undefined ? {} : { iobase }), ...(irq === undefined ? {} : { irq }) };
    }
    case 'ccid':
      return { type: 'ccid', controller: need(num(el, 'controller', 0)), slot: need(num(el, 'slot', 0)) };
    case 'unassigned':
      return { type: 'unassigned' };
  }
}

const hx = (n: number, w: number): string => '0x' + n.toString(16).padStart(w, '0');

export function formatAddress(a: DeviceAddress, name: string): XmlElement {
  const attrs: Array<[string, string]> = [['type', a.type]];
  switch (a.type) {
    case 'pci':
      attrs.push(['domain', hx(a.domain, 4)], ['bus', hx(a.bus, 2)], ['slot', hx(a.slot, 2)], ['function', hx(a.function, 1)]);
      if (a.multifunction !== undefined) attrs.push(['multifunction', a.multifunction ? 'on' : 'off']);
      break;
    case 'drive':
      attrs.push(['controller', String(a.controller)], ['bus', String(a.bus)], ['target', String(a.target)], ['unit', String(a.unit)]);
      break;
    case 'virtio-serial':
      attrs.push(['controller', String(a.controller)], ['bus', String(a.bus)]);
      if (a.port !== undefined) attrs.push(['port', String(a.port)]);
      break;
    case 'usb':
      attrs.push(['bus', String(a.bus)]);
      if (a.port !== undefined) attrs.push(['port', a.port]);
      break;
    case 'isa':
      if (a.iobase !== undefined) attrs.push(['iobase', hx(a.iobase, 1)]);
      if (a.irq !== undefined) attrs.push(['irq', hx(a.irq, 1)]);
      break;
    case 'ccid':
      attrs.push(['controller', String(a.controller)], ['slot', String(a.slot)]);
      break;
    case 'unassigned':
      break;
  }
  return { name, attrs, children: [], text: '', path: '', line: 0 };
}

export const addressSpec = custom<DeviceAddress>({ parse: parseAddress, format: formatAddress });
