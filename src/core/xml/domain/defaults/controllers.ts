/**
 * Controllers libvirt adds without being asked, and their default models.
 *   from devices (virDomainDefAddImplicitControllers): scsi, fdc, ide, sata
 *     controllers for every drive-address controller index in use, a
 *     virtio-serial controller for virtio channels/consoles, a scsi
 *     controller for SCSI host devices;
 *   from the machine (qemuDomainDefAddDefaultDevices): the USB controller
 *     (piix3-uhci on pc, qemu-xhci on q35), q35's integrated SATA controller,
 *     and the PCI root (pci-root on pc, pcie-root on q35).
 * New controllers are inserted the way virDomainControllerInsert does: next
 * to the controllers of the same type, in index order; otherwise at the end.
 */
import { maxDriveController } from './drive-address.js';
import type { Controller, DomainDef, MachineKind } from './types.js';
import { devicePath, devicesOf, fail } from './types.js';

type CType = Controller['type'];

export function findController(def: DomainDef, type: CType, index: number): Controller | undefined {
  return def.devices?.controller?.find((c) => c.type === type && c.index === index);
}

/** Inserts like virDomainControllerInsertPreAlloced (the index is always set here). */
export function insertController(def: DomainDef, c: Controller): void {
  const list = (devicesOf(def).controller ??= []);
  const idx = c.index ?? 0;
  let at = -1;
  for (let i = list.length - 1; i >= 0; i--) {
    const cur = list[i];
    if (cur?.type !== c.type) continue;
    if ((cur.index ?? 0) > idx) at = i;
    else if (at === -1) {
      at = i + 1;
      break;
    }
  }
  if (at === -1) list.push(c);
  else list.splice(at, 0, c);
}

/** virDomainDefMaybeAddController: adds type/index when absent; true when added. */
export function maybeAddController(def: DomainDef, type: CType, index: number, model?: string): boolean {
  if (findController(def, type, index)) return false;
  insertController(def, model === undefined ? { type, index } : { type, index, model });
  return true;
}

/** Gives each controller without index= the next free index of its type (libvirt does it at parse time). */
export function numberControllers(def: DomainDef): void {
  const list = def.devices?.controller ?? [];
  const usb2 = (c: Controller | undefined): boolean => c?.type === 'usb' && /^ich9-(ehci1|uhci[123])$/.test(c.model ?? '');
  list.forEach((c, at) => {
    if (c.index !== undefined) return;
    // USB2 companions written one after another share the index of the previous one
    // (virDomainAssignControllerIndexes), unless that index already has this model.
    if (usb2(c)) {
      const prev = list.slice(0, at).reverse().find((o) => o.type === 'usb');
      if (prev && usb2(prev) && !list.some((o) => o.type === 'usb' && o.model === c.model && o.index === prev.index)) {
        c.index = prev.index ?? 0;
        return;
      }
    }
    let n = 0;
    while (list.some((o) => o !== c && o.type === c.type && o.index === n)) n++;
    c.index = n;
  });
  const seen = new Map<string, number>();
  list.forEach((c, i) => {
    const key = `${c.type}/${c.index ?? 0}/${usb2(c) ? (c.model ?? '') : ''}`;
    const prev = seen.get(key);
    if (prev !== undefined) {
      throw fail('XML_DUPLICATE', devicePath('controller', list, i), `a ${c.type} controller with index ${c.index ?? 0} is already defined (controller ${prev + 1})`);
    }
    seen.set(key, i);
  });
}

/** Controllers implied by the devices (virDomainDefAddImplicitControllers). */
export function addDeviceControllers(def: DomainDef): void {
  for (const [ctype, bus] of [
    ['scsi', 'scsi'],
    ['fdc', 'fdc'],
    ['ide', 'ide'],
    ['sata', 'sata'],
  ] as const) {
    const max = maxDriveController(def, bus);
    for (let i = 0; i <= max; i++) maybeAddController(def, ctype, i);
  }
  const d = def.devices ?? {};
  for (const chr of [...(d.console ?? []), ...(d.channel ?? [])]) {
    if (chr.target?.type !== 'virtio') continue;
    const idx = chr.address?.type === 'virtio-serial' ? chr.address.controller : 0;
    maybeAddController(def, 'virtio-serial', idx);
  }
  let maxScsi = -1;
  for (const h of d.hostdev ?? []) {
    if (h.type === 'scsi' && h.address?.type === 'drive') maxScsi = Math.max(maxScsi, h.address.controller);
  }
  for (let i = 0; i <= maxScsi; i++) maybeAddController(def, 'scsi', i);
}

/** Controllers the machine type brings (qemuDomainDefAddDefaultDevices). */
export function addMachineControllers(def: DomainDef, machine: MachineKind): void {
  if (machine === 'other') return;
  if (!findController(def, 'usb', 0)) insertController(def, { type: 'usb', index: 0 });
  if (machine === 'q35') maybeAddController(def, 'sata', 0);
  const root = machine === 'q35' ? 'pcie-root' : 'pci-root';
  const list = devicesOf(def).controller ?? [];
  const i = list.findIndex((c) => c.type === 'pci' && c.index === 0);
  const pci0 = list[i];
  if (pci0 === undefined) insertController(def, { type: 'pci', index: 0, model: root });
  else if (pci0.model === undefined) pci0.model = root;
  else if (pci0.model !== root) {
    throw fail('XML_CONFLICT', `${devicePath('controller', list, i)}/@model`, `the PCI controller with index='0' must be model='${root}' for this machine type, not '${pci0.model}'`);
  }
}

export const USB_MODELS = new Set([
  'piix3-uhci', 'piix4-uhci', 'ehci', 'ich9-ehci1', 'ich9-uhci1', 'ich9-uhci2', 'ich9-uhci3',
  'vt82c686b-uhci', 'pci-ohci', 'nec-xhci', 'qemu-xhci', 'none',
]);
export const SCSI_MODELS = new Set([
  'auto', 'buslogic', 'lsilogic', 'lsisas1068', 'vmpvscsi', 'ibmvscsi', 'virtio-scsi', 'lsisas1078',
  'virtio-transitional', 'virtio-non-transitional', 'ncr53c90', 'am53c974', 'dc390',
]);
export const PCI_MODELS = new Set([
  'pci-root', 'pcie-root', 'pci-bridge', 'dmi-to-pci-bridge', 'pcie-root-port', 'pcie-switch-upstream-port',
  'pcie-switch-downstream-port', 'pci-expander-bus', 'pcie-expander-bus', 'pcie-to-pci-bridge',
]);

/** Default models (qemuDomainControllerDefPostParse) and a check of the given ones. */
export function setControllerModels(def: DomainDef, machine: MachineKind): void {
  const list = def.devices?.controller ?? [];
  list.forEach((c, i) => {
    const path = devicePath('controller', list, i);
    const known = c.type === 'usb' ? USB_MODELS : c.type === 'scsi' ? SCSI_MODELS : c.type === 'pci' ? PCI_MODELS : undefined;
    if (c.model !== undefined && known && !known.has(c.model)) {
      throw fail('XML_INVALID_VALUE', `${path}/@model`, `'${c.model}' is not a ${c.type} controller model (one of ${[...known].join(', ')})`);
    }
    if (c.type === 'pci' && c.model !== undefined) checkPciModel(c.model, c.index ?? 0, machine, `${path}/@model`);
    // A USB controller of model none has no address (qemuDomainControllerDefPostParse).
    if (c.type === 'usb' && c.model === 'none') delete c.address;
    if (c.model !== undefined) return;
    if (c.type === 'usb') c.model = machine === 'q35' ? 'qemu-xhci' : 'piix3-uhci';
    else if (c.type === 'scsi') c.model = 'lsilogic';
    else if (c.type === 'pci' && (c.index ?? 0) > 0) c.model = machine === 'q35' ? 'pcie-root-port' : 'pci-bridge';
  });
}

const PCIE_ONLY = new Set(['pcie-root', 'pcie-root-port', 'pcie-switch-upstream-port', 'pcie-switch-downstream-port', 'dmi-to-pci-bridge', 'pcie-to-pci-bridge', 'pcie-expander-bus']);

/** PCI controller models against the machine (qemuDomainControllerDefPostParse and the validation after it). */
function checkPciModel(model: string, index: number, machine: MachineKind, path: string): void {
  if ((model === 'pci-root' || model === 'pcie-root') && index !== 0) throw fail('XML_CONFLICT', path, 'pci-root and pcie-root controllers must have index 0');
  if (machine === 'i440fx' && PCIE_ONLY.has(model)) throw fail('XML_CONFLICT', path, `a ${model} needs a PCI Express machine (q35); this pc machine has a conventional PCI bus`);
  if (machine === 'q35' && (model === 'pci-root' || model === 'pci-expander-bus')) throw fail('XML_CONFLICT', path, `a ${model} is not available on q35 (use pcie-root / pcie-expander-bus)`);
}
