/**
 * Test helper: the -device entries of a libvirt expected `.args` file
 * (JSON form, one argument per line) and the same facts read from a
 * prepared DomainDef, keyed by QEMU id / libvirt alias.
 */
import { listDevices } from '../../src/core/xml/domain/defaults/devices.js';
import type { DomainDef } from '../../src/core/xml/domain/defaults/types.js';
import { devicesOf, machineKind } from '../../src/core/xml/domain/defaults/types.js';

export interface DefDevice {
  bus?: string;
  addr?: string;
  port?: string;
  nr?: number;
  /** ide/floppy unit, scsi-id and lun, isa-serial index. */
  unit?: number;
  scsiId?: number;
  lun?: number;
  index?: number;
}

export interface ArgsDevice extends DefDevice {
  id: string;
  driver: string;
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
    if (typeof j['unit'] === 'number') d.unit = j['unit'];
    if (typeof j['scsi-id'] === 'number') d.scsiId = j['scsi-id'];
    if (typeof j['lun'] === 'number') d.lun = j['lun'];
    if (typeof j['index'] === 'number') d.index = j['index'];
    out.push(d);
  }
  return out;
}

/** alias -> what QEMU would be told: PCI bus/addr, USB port, virtio-serial nr, drive bus/unit, serial index. */
export function defDevices(def: DomainDef): Map<string, DefDevice> {
  const q35 = machineKind(def) === 'q35';
  const out = new Map<string, DefDevice>();
  const ctrls = def.devices?.controller ?? [];
  for (const r of listDevices(devicesOf(def))) {
    const name = r.dev.alias?.name;
    const a = r.dev.address;
    if (name === undefined || out.has(name)) continue;
    if (a?.type === 'pci') {
      const bus = a.bus === 0 ? (q35 ? 'pcie.0' : 'pci.0') : `pci.${a.bus}`;
      const addr = `0x${a.slot.toString(16)}${a.function ? `.0x${a.function.toString(16)}` : ''}`;
      out.set(name, { bus, addr });
    } else if (a?.type === 'usb') {
      out.set(name, { bus: `usb.${a.bus}`, ...(a.port === undefined ? {} : { port: a.port }) });
    } else if (a?.type === 'virtio-serial') {
      out.set(name, { bus: `virtio-serial${a.controller}.${a.bus}`, ...(a.port === undefined ? {} : { nr: a.port }) });
    } else if (a?.type === 'drive' && r.kind === 'disk') {
      const bus = (r.dev as { target?: { bus?: string } }).target?.bus;
      const c = ctrls.find((x) => x.type === bus && (x.index ?? 0) === a.controller);
      const cname = c?.alias?.name ?? '?';
      if (bus === 'scsi') {
        const lsi = c?.model === 'lsilogic';
        out.set(name, { bus: `${cname}.${a.bus}`, scsiId: lsi ? a.unit : a.target, ...(lsi ? {} : { lun: a.unit }) });
      } else if (bus === 'fdc') out.set(name, { unit: a.unit });
      else out.set(name, { bus: `${cname}.${a.bus}`, unit: a.unit });
    } else if (r.kind === 'serial') {
      const port = (r.dev as { target?: { port?: number } }).target?.port;
      out.set(name, port === undefined ? {} : { index: port });
    } else out.set(name, {});
  }
  return out;
}
