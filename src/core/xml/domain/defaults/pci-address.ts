/**
 * PCI addresses the way libvirt's qemuDomainAssignPCIAddresses places them:
 *
 * 1. A dry run over a set built from the PCI controllers and the addresses
 *    written in the XML: the chipset's fixed functions (pc: PIIX3 at slot 1,
 *    IDE .1, USB .2, primary video at slot 2; q35: 0x1f.0/.2/.3, primary video
 *    at slot 1), one spare slot on pc for a future bridge, then every device
 *    in libvirt's order. Devices that find no room grow the set by a bus;
 *    on q35, when root ports were auto-added and the XML had no PCI
 *    controller besides pcie-root, one more root port is kept for hotplug.
 * 2. The controllers for the added buses join the def.
 * 3. The real pass repeats the placement and writes the addresses, then sets
 *    multifunction on function 0 of shared slots and fills the controllers'
 *    target chassis/port and model names.
 *
 * Device order (qemuDomainAssignDevicePCISlots): PCI controllers, filesystems,
 * interfaces, sounds, other controllers, virtio disks, host devices,
 * memballoon, rngs, watchdogs, videos, virtio inputs, PCI serials, vsock.
 */
import type { PciAddress } from '../schema/address.js';
import { findController, insertController } from './controllers.js';
import type { DeviceRef } from './devices.js';
import { listDevices, pathOf } from './devices.js';
import type { ConnectType, PciModel } from './pci-bus.js';
import { PciAddressSet, addrText } from './pci-bus.js';
import { connectType } from './pci-flags.js';
import type { Controller, DomainDef, MachineKind } from './types.js';
import { devicesOf, fail } from './types.js';

/** libvirt's virDeviceInfoPCIAddressIsWanted: no address, or an all-zero <address type='pci'/>. */
export function pciWanted(a: DeviceRef['dev']['address']): boolean {
  return a === undefined || (a.type === 'pci' && a.domain === 0 && a.bus === 0 && a.slot === 0 && a.function === 0);
}

const pciAt = (slot: number, fn: number): PciAddress => ({ type: 'pci', domain: 0, bus: 0, slot, function: fn });
const same = (a: PciAddress, b: PciAddress): boolean => a.domain === b.domain && a.bus === b.bus && a.slot === b.slot && a.function === b.function;

/** Devices with a PCI address that cannot use PCI, and PCI devices with an address of another type. */
function checkAddressTypes(refs: DeviceRef[], machine: MachineKind): void {
  for (const r of refs) {
    const a = r.dev.address;
    if (!a) continue;
    const t = connectType(r, machine);
    if (t === undefined && a.type === 'pci') throw fail('XML_CONFLICT', `${r.path}/address`, `this <${r.kind}> does not sit on PCI and cannot have a PCI address`);
    if (t !== undefined && a.type !== 'pci' && a.type !== 'unassigned') {
      throw fail('XML_CONFLICT', `${r.path}/address`, `this <${r.kind}> is a PCI device and needs a PCI address, not '${a.type}'`);
    }
  }
}

function pciControllers(def: DomainDef): Controller[] {
  return (def.devices?.controller ?? []).filter((c) => c.type === 'pci');
}

function createSet(def: DomainDef, machine: MachineKind, nbuses: number, dryRun: boolean): PciAddressSet {
  const root: PciModel = machine === 'q35' ? 'pcie-root' : 'pci-root';
  const models: PciModel[] = [];
  for (let i = 0; i < nbuses; i++) {
    const c = findController(def, 'pci', i);
    models.push((c?.model as PciModel | undefined) ?? (i === 0 ? root : root === 'pcie-root' ? 'pcie-root-port' : 'pci-bridge'));
  }
  const set = new PciAddressSet(models, dryRun);
  for (const r of listDevices(devicesOf(def))) {
    const a = r.dev.address;
    if (a?.type !== 'pci' || pciWanted(a)) continue;
    // The PIIX3's IDE and USB functions are reserved with the chipset below.
    if (machine === 'i440fx' && r.kind === 'controller' && a.bus === 0 && a.slot === 1) {
      const c = r.dev as Controller;
      if ((c.type === 'ide' && a.function === 1) || (c.type === 'usb' && a.function === 2)) continue;
    }
    set.validate(a, r.path);
    set.reserve(a, r.path, connectType(r, machine) === 'pcie-root-port');
  }
  return set;
}

/** Gives `ref` the next free address (written only in the real pass). */
function place(set: PciAddressSet, r: DeviceRef, type: ConnectType, fn?: number): PciAddress {
  const a = set.next(type, r.path, fn);
  if (!set.dryRun) r.dev.address = a;
  return a;
}

function fixed(set: PciAddressSet, r: DeviceRef, want: PciAddress, what: string): void {
  const a = r.dev.address;
  if (a && !pciWanted(a)) {
    if (a.type !== 'pci' || !same(a, want)) throw fail('XML_CONFLICT', `${r.path}/address`, `${what} must have PCI address ${addrText(want)}`);
  } else r.dev.address = want;
  set.reserve(want, r.path);
}

function primaryVideo(set: PciAddressSet, refs: DeviceRef[], machine: MachineKind, slot: number): void {
  const v = refs.find((r) => r.kind === 'video' && r.index === 0);
  if (!v || !pciWanted(v.dev.address)) return;
  const t = connectType(v, machine);
  if (t === undefined) return;
  if (set.slotInUse(0, slot)) place(set, v, t);
  else {
    const a = pciAt(slot, 0);
    set.reserve(a, v.path);
    v.dev.address = a;
  }
}

/** qemuDomainValidateDevicePCISlotsPIIX3 / ...Q35: the chipset's fixed functions. */
function chipset(def: DomainDef, machine: MachineKind, set: PciAddressSet): void {
  const refs = listDevices(devicesOf(def));
  const ctrl = (r: DeviceRef): Controller | undefined => (r.kind === 'controller' ? (r.dev as Controller) : undefined);
  if (machine === 'i440fx') {
    for (const r of refs) {
      const c = ctrl(r);
      if (c?.type === 'ide' && c.index === 0) fixed(set, r, pciAt(1, 1), 'the primary IDE controller (built into the PIIX3)');
      else if (c?.type === 'usb' && c.index === 0 && c.model === 'piix3-uhci') fixed(set, r, pciAt(1, 2), 'the PIIX3 USB controller at index 0');
    }
    set.reserve(pciAt(1, 0), 'the PIIX3 ISA bridge (0:0:1.0)');
    set.reserve(pciAt(1, 3), 'the PIIX3 ACPI function (0:0:1.3)');
    primaryVideo(set, refs, machine, 2);
    return;
  }
  for (const r of refs) {
    const c = ctrl(r);
    if (c?.type === 'sata' && c.index === 0) {
      const want = pciAt(0x1f, 2);
      if (c.address && !pciWanted(c.address)) {
        if (c.address.type !== 'pci' || !same(c.address, want)) throw fail('XML_CONFLICT', `${r.path}/address`, 'the primary SATA controller (built into q35) must have PCI address 0x0:0x1f.2');
      } else {
        c.address = want;
        set.reserve(want, r.path);
      }
    } else if (c?.type === 'usb' && c.model === 'ich9-uhci1' && c.address === undefined) {
      const s = [0x1d, 0x1a].find((n) => !set.slotInUse(0, n));
      if (s !== undefined) {
        set.reserve(pciAt(s, 0), r.path);
        c.address = { ...pciAt(s, 0), multifunction: true };
      }
    } else if (c?.type === 'pci' && c.model === 'dmi-to-pci-bridge' && c.address === undefined && !set.slotInUse(0, 0x1e)) {
      set.reserve(pciAt(0x1e, 0), r.path);
      c.address = pciAt(0x1e, 0);
    }
  }
  set.reserve(pciAt(0x1f, 0), 'the ICH9 LPC/ISA bridge (0:0:1f.0)');
  set.reserve(pciAt(0x1f, 3), 'the ICH9 SMBus controller (0:0:1f.3)');
  primaryVideo(set, refs, machine, 1);
  if (!set.slotInUse(0, 0x1b)) {
    const s = refs.find((r) => r.kind === 'sound' && (r.dev as { model?: string }).model === 'ich9' && pciWanted(r.dev.address));
    if (s) {
      set.reserve(pciAt(0x1b, 0), s.path);
      s.dev.address = pciAt(0x1b, 0);
    }
  }
}

const USB2_FN: Record<string, number> = { 'ich9-ehci1': 7, 'ich9-uhci1': 0, 'ich9-uhci2': 1, 'ich9-uhci3': 2 };

function skipController(c: Controller): boolean {
  return (
    c.type === 'pci' ||
    c.type === 'fdc' ||
    c.type === 'ccid' ||
    c.type === 'isa' ||
    (c.type === 'usb' && c.model === 'none') ||
    (c.type === 'ide' && c.index === 0) ||
    (c.type === 'scsi' && c.model === 'ncr53c90')
  );
}

/** qemuDomainAssignDevicePCISlots. */
function assignSlots(def: DomainDef, machine: MachineKind, set: PciAddressSet): void {
  const refs = listDevices(devicesOf(def));
  const of = (kind: DeviceRef['kind'], pick: (r: DeviceRef) => boolean = () => true): DeviceRef[] => refs.filter((r) => r.kind === kind && pick(r));
  const put = (list: DeviceRef[]): void => {
    for (const r of list) {
      const t = connectType(r, machine);
      if (t !== undefined && pciWanted(r.dev.address)) place(set, r, t);
    }
  };
  const ctrl = (r: DeviceRef): Controller => r.dev as Controller;
  put(of('controller', (r) => ctrl(r).type === 'pci'));
  put(of('filesystem'));
  put(of('interface', (r) => (r.dev as { type?: string }).type !== 'hostdev'));
  put(of('sound', (r) => !['sb16', 'pcspk', 'usb'].includes((r.dev as { model?: string }).model ?? '')));
  for (const r of of('controller', (x) => !skipController(ctrl(x)))) {
    const c = ctrl(r);
    const t = connectType(r, machine);
    if (t === undefined || !pciWanted(c.address)) continue;
    const fn = USB2_FN[c.model ?? ''];
    if (c.type !== 'usb' || fn === undefined) {
      place(set, r, t);
      continue;
    }
    // USB2 companions share one slot: EHCI at .7, UHCI1-3 at .0-.2.
    const mate = refs.find((o) => o !== r && o.kind === 'controller' && ctrl(o).type === 'usb' && ctrl(o).index === c.index && USB2_FN[ctrl(o).model ?? ''] !== undefined && ctrl(o).address?.type === 'pci' && !pciWanted(ctrl(o).address));
    const ma = mate?.dev.address;
    const a: PciAddress = ma?.type === 'pci' ? { ...pciAt(ma.slot, fn), bus: ma.bus } : set.next(t, r.path, fn);
    if (ma?.type === 'pci') set.reserve(a, r.path);
    if (fn === 0) a.multifunction = true;
    if (!set.dryRun) c.address = a;
  }
  put(of('disk'));
  put(of('interface', (r) => (r.dev as { type?: string }).type === 'hostdev'));
  put(of('hostdev', (r) => r.dev.address?.type !== 'unassigned'));
  put(of('memballoon'));
  put(of('rng'));
  put(of('watchdog'));
  put(of('video'));
  put(of('input'));
  put(of('serial'));
  put(of('vsock'));
}

/** virDomainPCIAddressSetAllMulti: function 0 of a slot with other functions in use gets multifunction='on'. */
function setAllMulti(def: DomainDef): void {
  const refs = listDevices(devicesOf(def));
  const key = (a: PciAddress): string => `${a.domain}:${a.bus}:${a.slot}`;
  const shared = new Set<string>();
  for (const r of refs) if (r.dev.address?.type === 'pci' && r.dev.address.function !== 0) shared.add(key(r.dev.address));
  for (const r of refs) {
    const a = r.dev.address;
    if (a?.type === 'pci' && a.function === 0 && a.multifunction === undefined && shared.has(key(a))) a.multifunction = true;
  }
}

const MODEL_NAMES: Partial<Record<PciModel, string>> = {
  'pci-bridge': 'pci-bridge',
  'dmi-to-pci-bridge': 'i82801b11-bridge',
  'pcie-to-pci-bridge': 'pcie-pci-bridge',
  'pcie-root-port': 'pcie-root-port',
  'pcie-switch-upstream-port': 'x3130-upstream',
  'pcie-switch-downstream-port': 'xio3130-downstream',
  'pci-expander-bus': 'pxb',
  'pcie-expander-bus': 'pxb-pcie',
};

/** Model names and target options of PCI controllers (end of qemuDomainAssignPCIAddresses). */
function controllerOptions(def: DomainDef): void {
  const list = def.devices?.controller ?? [];
  list.forEach((c, i) => {
    if (c.type !== 'pci') return;
    const model = c.model as PciModel | undefined;
    const name = model === undefined ? undefined : MODEL_NAMES[model];
    if (name !== undefined) c.modelName ??= { name };
    const a = c.address?.type === 'pci' ? c.address : undefined;
    const idx = c.index ?? 0;
    if (model === 'pci-bridge') {
      (c.target ??= {}).chassisNr ??= idx;
      if (a && idx <= a.bus) throw fail('XML_CONFLICT', pathOf(devicesOf(def), 'controller', i), `PCI controller index ${idx} sits on bus ${a.bus}: its index must be larger than its bus`);
    } else if (model === 'pcie-root-port' && a) {
      const t = (c.target ??= {});
      t.chassis ??= idx;
      t.port ??= (a.slot << 3) + a.function;
    } else if (model === 'pcie-switch-downstream-port' && a) {
      const t = (c.target ??= {});
      t.chassis ??= idx;
      t.port ??= a.slot;
    }
  });
}

export function assignPciAddresses(def: DomainDef, machine: MachineKind): void {
  if (machine === 'other') return;
  const d = devicesOf(def);
  checkAddressTypes(listDevices(d), machine);
  const maxIdx = Math.max(-1, ...pciControllers(def).map((c) => c.index ?? 0));

  const dry = createSet(def, machine, maxIdx + 1, true);
  chipset(def, machine, dry);
  if (!dry.pcieRoot && dry.buses.some((_, i) => !dry.fullyReserved(i))) dry.next('pci', 'a slot kept free for a future pci-bridge');
  assignSlots(def, machine, dry);
  if (maxIdx <= 0 && dry.buses.length > maxIdx + 1 && dry.pcieRoot) dry.next('pcie', 'a spare pcie-root-port for hotplug');
  for (let i = 1; i < dry.buses.length; i++) {
    if (findController(def, 'pci', i)) continue;
    const model = dry.buses[i]?.model ?? 'pci-bridge';
    insertController(def, { type: 'pci', index: i, model });
    const list = d.controller ?? [];
    const at = list.findIndex((c) => c.type === 'pci' && c.index === i);
    const type: ConnectType | undefined = model === 'pci-root' || model === 'pcie-root' ? undefined : model;
    if (type) dry.next(type, pathOf(d, 'controller', at));
  }

  const set = createSet(def, machine, dry.buses.length, false);
  chipset(def, machine, set);
  assignSlots(def, machine, set);
  setAllMulti(def);
  controllerOptions(def);
}
