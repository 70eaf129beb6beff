/**
 * Device aliases, libvirt's qemuAssignDeviceAliases: the QEMU id= of each
 * device, stored in its <alias name=...> so the argv builder reads them.
 * User aliases ("ua-" prefix) are kept; any other alias is recomputed, as
 * libvirt drops non-user aliases when it parses a persistent config.
 *
 *   disk        ide0-0-0 / sata0-0-0 / fdc0-0-1 / scsi0-0-0 (lsi: controller-bus-unit)
 *               scsi0-0-0-0 (other SCSI: controller-bus-target-unit), virtio-disk0, usb-disk1
 *   controller  pci.N (pcie.0 for pcie-root), ide / usb for index 0 of the
 *               built-in ones, otherwise TYPE+index (scsi0, virtio-serial1)
 *   interface   netN (hostdevN for type='hostdev'), hostdev hostdevN
 *   input, video, sound, fs, watchdog, rng, tpm: kindN (panics have none)
 *   serial/parallel/channel/console: serialN ..., console 0 aliasing
 *   serial 0 shares its alias; memballoon balloon0 (none for model none), vsock vsock0
 */
import type { DeviceRef } from './devices.js';
import { listDevices } from './devices.js';
import { diskNameToIndex } from './drive-address.js';
import type { Chr, Controller, Disk, DomainDef, MachineKind } from './types.js';
import { devicesOf, machineKind } from './types.js';

const isUser = (r: DeviceRef): boolean => r.dev.alias?.name.startsWith('ua-') === true;

function diskAlias(d: Disk, def: DomainDef, index: number): string {
  const bus = d.target?.bus ?? 'virtio';
  const a = d.address;
  if (a?.type === 'drive') {
    const ctype = bus === 'sata' || bus === 'ide' || bus === 'fdc' ? bus : 'scsi';
    const c = def.devices?.controller?.find((x) => x.type === ctype && (x.index ?? 0) === a.controller);
    if (bus !== 'scsi' || c?.model === 'lsilogic') return `${bus}${a.controller}-${a.bus}-${a.unit}`;
    return `${bus}${a.controller}-${a.bus}-${a.target}-${a.unit}`;
  }
  return `${bus}-disk${(d.target ? diskNameToIndex(d.target.dev) : undefined) ?? index}`;
}

export function controllerAlias(c: Controller, machine: MachineKind): string {
  const idx = c.index ?? 0;
  switch (c.type) {
    case 'pci':
      return c.model === 'pcie-root' ? 'pcie.0' : `pci.${idx}`;
    case 'ide':
      if (machine === 'i440fx' && idx === 0) return 'ide';
      break;
    case 'sata':
      if (machine === 'q35' && idx === 0) return 'ide';
      break;
    case 'usb':
      if (idx === 0) return 'usb';
      break;
    case 'scsi':
      if (c.model === 'ncr53c90' && idx === 0) return 'scsi';
      break;
    default:
      break;
  }
  return `${c.type}${idx}`;
}

/** Kinds named by their position in the list (libvirt passes the index). */
const BY_POSITION: Partial<Record<DeviceRef['kind'], string>> = {
  input: 'input',
  sound: 'sound',
  video: 'video',
  watchdog: 'watchdog',
  tpm: 'tpm',
  serial: 'serial',
  parallel: 'parallel',
  channel: 'channel',
};

/**
 * Sets alias.name on every device (in place) and returns the def. Nets,
 * host devices, filesystems and rngs count only their own generated names
 * (libvirt takes one more than the highest existing index); the other kinds
 * use their position, so a user alias there skips a number as in libvirt.
 */
export function assignAliases(def: DomainDef): DomainDef {
  const d = devicesOf(def);
  const machine = machineKind(def);
  const refs = listDevices(d);
  const set = (r: DeviceRef, name: () => string): void => {
    if (!isUser(r)) r.dev.alias = { name: name() };
  };
  const next = { net: 0, hostdev: 0, fs: 0, rng: 0 };
  const counter = (k: keyof typeof next) => (): string => `${k}${next[k]++}`;
  for (const r of refs) {
    switch (r.kind) {
      case 'disk':
        set(r, () => diskAlias(r.dev as Disk, def, r.index));
        break;
      case 'controller':
        set(r, () => controllerAlias(r.dev as Controller, machine));
        break;
      case 'interface':
        set(r, counter((r.dev as { type?: string }).type === 'hostdev' ? 'hostdev' : 'net'));
        break;
      case 'hostdev':
        set(r, counter('hostdev'));
        break;
      case 'filesystem':
        set(r, counter('fs'));
        break;
      case 'rng':
        set(r, counter('rng'));
        break;
      case 'memballoon':
        if ((r.dev as { model?: string }).model !== 'none') set(r, () => 'balloon0');
        break;
      case 'vsock':
        set(r, () => 'vsock0');
        break;
      default: {
        const p = BY_POSITION[r.kind];
        if (p !== undefined) set(r, () => `${p}${r.index}`);
      }
    }
  }
  // Console 0 of target type serial is serial 0 under another name (qemuAssignDeviceChrAlias).
  const serial0 = d.serial?.[0]?.alias?.name;
  (d.console ?? []).forEach((c: Chr, i) => {
    if (c.alias?.name.startsWith('ua-')) return;
    c.alias = { name: i === 0 && c.target?.type === 'serial' && serial0 !== undefined ? serial0 : `console${i}` };
  });
  return def;
}

/**
 * The definition as libvirt persists it: aliases are run-time ids, so only
 * user aliases ("ua-") stay; addresses, MACs and the uuid are kept. Returns
 * a copy. dumpxml --inactive and the config store show this form.
 */
export function stripAliases(def: DomainDef): DomainDef {
  const out = structuredClone(def);
  if (out.devices === undefined) return out;
  for (const r of listDevices(out.devices)) {
    if (r.dev.alias !== undefined && !isUser(r)) delete r.dev.alias;
  }
  return out;
}
