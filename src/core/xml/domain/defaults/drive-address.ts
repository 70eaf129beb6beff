/**
 * Disk buses and drive addresses from target names, as libvirt's
 * virDomainDiskDefAssignAddress does at parse time (QEMU uses "wide" SCSI):
 *   ide   hdX -> controller idx/4, bus (idx%4)/2, unit idx%2
 *   sata  sdX -> controller idx/6, bus 0, unit idx%6 (six ports per AHCI controller)
 *   scsi  sdX -> controller idx/15, bus 0, unit idx%15, skipping unit 7 (the HBA)
 *   fdc   fdX -> controller idx/2, bus 0, unit idx%2
 * and the checks that belong to those addresses.
 */
import type { Disk, DomainDef, MachineKind } from './types.js';
import { devicePath, fail } from './types.js';

/** libvirt's virDiskNameToIndex: 'sda' -> 0, 'hdc' -> 2, 'vdaa' -> 26; undefined when not a disk name. */
export function diskNameToIndex(name: string): number | undefined {
  const m = /^(?:fd|hd|vd|sd|xvd|ubd)([a-z]+)\d*$/.exec(name);
  const letters = m?.[1];
  if (letters === undefined) return undefined;
  let idx = 0;
  for (let i = 0; i < letters.length; i++) {
    idx = (idx + (i > 0 ? 1 : 0)) * 26 + (letters.charCodeAt(i) - 97);
  }
  return idx;
}

type Bus = NonNullable<NonNullable<Disk['target']>['bus']>;

/** The bus a target name implies when <target bus> is absent. */
export function busFromName(dev: string): Bus | undefined {
  if (dev.startsWith('hd')) return 'ide';
  if (dev.startsWith('sd')) return 'scsi';
  if (dev.startsWith('vd')) return 'virtio';
  if (dev.startsWith('fd')) return 'fdc';
  return undefined;
}

export function driveAddressFor(bus: Bus, idx: number): { controller: number; bus: number; target: number; unit: number } | undefined {
  switch (bus) {
    case 'ide':
      return { controller: Math.floor(idx / 4), bus: Math.floor((idx % 4) / 2), target: 0, unit: idx % 2 };
    case 'sata':
      return { controller: Math.floor(idx / 6), bus: 0, target: 0, unit: idx % 6 };
    case 'scsi': {
      const unit = idx % 15;
      return { controller: Math.floor(idx / 15), bus: 0, target: 0, unit: unit >= 7 ? unit + 1 : unit };
    }
    case 'fdc':
      return { controller: Math.floor(idx / 2), bus: 0, target: 0, unit: idx % 2 };
    default:
      return undefined;
  }
}

const DRIVE_BUSES: ReadonlySet<string> = new Set(['ide', 'sata', 'scsi', 'fdc']);

/** Fills target bus and drive addresses; refuses addresses of the wrong type for the bus. */
export function assignDriveAddresses(def: DomainDef, machine: MachineKind): void {
  const disks = def.devices?.disk ?? [];
  const seenDev = new Map<string, string>();
  disks.forEach((disk, i) => {
    const path = devicePath('disk', disks, i);
    const target = disk.target;
    if (!target) throw fail('XML_MISSING', path, '<disk> needs a <target dev=...>');
    const prev = seenDev.get(target.dev);
    if (prev !== undefined) throw fail('XML_DUPLICATE', `${path}/target/@dev`, `target '${target.dev}' is already used by ${prev}`);
    seenDev.set(target.dev, path);
    // virDomainDiskDefPostParse: floppies on fdc, else from the name, else ide; CD-ROMs are read-only.
    if (target.bus === undefined) target.bus = disk.device === 'floppy' ? 'fdc' : (busFromName(target.dev) ?? 'ide');
    if (disk.device === 'cdrom') disk.readonly ??= {};
    const bus = target.bus;
    if (bus === 'ide' && machine === 'q35') {
      throw fail('XML_CONFLICT', `${path}/target/@bus`, "the q35 machine has no IDE controller: use bus='sata'");
    }
    const a = disk.address;
    if (DRIVE_BUSES.has(bus)) {
      if (a && a.type !== 'drive') throw fail('XML_CONFLICT', `${path}/address`, `a disk on bus '${bus}' needs a drive address, not '${a.type}'`);
      if (!a) {
        const idx = diskNameToIndex(target.dev);
        if (idx === undefined) throw fail('XML_INVALID_VALUE', `${path}/target/@dev`, `'${target.dev}' is not a disk name like sda or hdc`);
        const d = driveAddressFor(bus, idx);
        if (d) disk.address = { type: 'drive', ...d };
      }
    } else if (bus === 'virtio') {
      if (a && a.type !== 'pci') throw fail('XML_CONFLICT', `${path}/address`, `a virtio disk cannot have an address of type '${a.type}'`);
    } else if (bus === 'usb') {
      if (a && a.type !== 'usb') throw fail('XML_CONFLICT', `${path}/address`, `a usb disk cannot have an address of type '${a.type}'`);
    }
  });
}

/** Highest drive-address controller index among disks on `bus`, or -1. */
export function maxDriveController(def: DomainDef, bus: Bus): number {
  let max = -1;
  for (const d of def.devices?.disk ?? []) {
    if (d.target?.bus === bus && d.address?.type === 'drive') max = Math.max(max, d.address.controller);
  }
  return max;
}

interface DriveLimits {
  buses: number;
  targets: number;
  units: number;
}

/** What a drive address may hold on each controller kind (QEMU's limits, as libvirt validates them). */
function limits(bus: string, model: string | undefined): DriveLimits {
  switch (bus) {
    case 'ide':
      return { buses: 2, targets: 1, units: 2 };
    case 'sata':
      return { buses: 1, targets: 1, units: 6 };
    case 'fdc':
      return { buses: 1, targets: 1, units: 2 };
    default:
      // lsi and the other parallel SCSI HBAs address disks by unit (scsi-id) 0-6; virtio-scsi by target and lun.
      return model === 'virtio-scsi' || model === 'virtio-transitional' || model === 'virtio-non-transitional'
        ? { buses: 1, targets: 256, units: 16384 }
        : { buses: 1, targets: 1, units: 7 };
  }
}

/** Drive addresses against their controllers: the controller exists, the slot exists, no two disks share it. */
export function checkDriveAddresses(def: DomainDef, machine: MachineKind): void {
  const disks = def.devices?.disk ?? [];
  const ctrls = def.devices?.controller ?? [];
  const used = new Map<string, string>();
  disks.forEach((disk, i) => {
    const a = disk.address;
    const bus = disk.target?.bus;
    if (a?.type !== 'drive' || bus === undefined) return;
    const path = devicePath('disk', disks, i);
    const ctype = bus === 'ide' || bus === 'sata' || bus === 'scsi' || bus === 'fdc' ? bus : undefined;
    if (ctype === undefined) return;
    const c = ctrls.find((x) => x.type === ctype && (x.index ?? 0) === a.controller);
    if (!c) throw fail('XML_CONFLICT', `${path}/address/@controller`, `there is no ${ctype} controller with index ${a.controller}`);
    if ((ctype === 'ide' || ctype === 'fdc') && a.controller > 0 && machine !== 'other') {
      throw fail('XML_CONFLICT', `${path}/address/@controller`, `this machine has a single built-in ${ctype} controller (index 0)`);
    }
    const l = limits(ctype, c.model);
    const check = (field: 'bus' | 'target' | 'unit', max: number): void => {
      if (a[field] >= max) throw fail('ADDRESS_CONFLICT', `${path}/address/@${field}`, `a ${ctype} controller${c.model ? ` (${c.model})` : ''} has ${field}s 0-${max - 1}, not ${a[field]}`);
    };
    check('bus', l.buses);
    check('target', l.targets);
    check('unit', l.units);
    const key = `${ctype}:${a.controller}:${a.bus}:${a.target}:${a.unit}`;
    const prev = used.get(key);
    if (prev !== undefined) throw fail('ADDRESS_CONFLICT', `${path}/address`, `drive address ${a.controller}:${a.bus}:${a.target}:${a.unit} on the ${ctype} controller is already used by ${prev}`);
    used.set(key, path);
  });
}
