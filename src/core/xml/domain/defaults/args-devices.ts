/**
 * Test helper: the -device entries of a libvirt expected `.args` file
 * (JSON form, one argument per line) and the same facts read from a
 * prepared DomainDef, keyed by QEMU id / libvirt alias.
 */
import { listDevices } from './devices.js';
import type { DomainDef } from './types.js';
import { devicesOf, machineKind } from './types.js';

export interface ArgsDevice {
  id: string;
  driver: string;
  bus?: string;
  addr?: string;
  port?: string;
  nr?: number;
}

export function argsDevices(args: string): ArgsDevice[] {
  const out: ArgsDevice[] = [];
  for (const raw of args.split('\n')) {
    const line = raw.replace(/ \\$/, '');
    const m = /^-device '(\{.*\})'$/.exec(line);
    if (!m?.[1]) continue;
    const j = JSON.parse(m[1]) as Record<string, unknown>;
    const d: ArgsDevice = { id: String(j['id']), driver: String(j['driver']) };
    if (typeof j['bus'] === 'string') d.bus = j['bus'];
    if (typeof j['addr'] === 'string') d.addr = j['addr'];
    if (typeof j['port'] === 'string') d.port = j['port'];
    if (typeof j['nr'] === 'number') d.nr = j['nr'];
    out.push(d);
  }
  return out;
}

/** alias -> what QEMU would be told: PCI bus/addr, USB port, virtio-serial nr. */
export function defDevices(def: DomainDef): Map<string, { bus?: string; addr?: string; port?: string; nr?: number }> {
  const q35 = machineKind(def) === 'q35';
  const out = new Map<string, { bus?: string; addr?: string; port?: string; nr?: number }>();
  for (const r of listDevices(devicesOf(def))) {
    const name = r.dev.alias?.name;
    const a = r.dev.address;
    if (name === undefined) continue;
    if (a?.type === 'pci') {
      const bus = a.bus === 0 ? (q35 ? 'pcie.0' : 'pci.0') : `pci.${a.bus}`;
      const addr = `0x${a.slot.toString(16)}${a.function ? `.0x${a.function.toString(16)}` : ''}`;
      out.set(name, { bus, addr });
    } else if (a?.type === 'usb') {
      out.set(name, { bus: `usb.${a.bus}`, ...(a.port === undefined ? {} : { port: a.port }) });
    } else if (a?.type === 'virtio-serial') {
      out.set(name, { bus: `virtio-serial${a.controller}.${a.bus}`, ...(a.port === undefined ? {} : { nr: a.port }) });
    } else if (!out.has(name)) out.set(name, {});
  }
  return out;
}
