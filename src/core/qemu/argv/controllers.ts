/**
 * Controllers, in libvirt's order of types (pci, usb, scsi, ide, sata, fdc,
 * virtio-serial), each type by index. Controllers QEMU creates by itself for
 * the machine (pci-root/pcie-root, PIIX IDE and FDC on i440fx, the ICH9 AHCI
 * at 00:1f.2 on q35) get no option.
 */
import { needDevice, propOk } from './caps-view.js';
import type { BuildCtx } from './context.js';
import { aliasOf, pciProps, push, refuse } from './context.js';
import { jsonOpt } from './escape.js';

type Controller = NonNullable<BuildCtx['devices']['controller']>[number];

const ORDER = ['pci', 'usb', 'scsi', 'ide', 'sata', 'fdc', 'virtio-serial', 'ccid', 'isa'] as const;

const USB_MODELS: Record<string, string> = {
  'piix3-uhci': 'piix3-usb-uhci',
  'piix4-uhci': 'piix4-usb-uhci',
  'qemu-xhci': 'qemu-xhci',
  'nec-xhci': 'nec-usb-xhci',
  ehci: 'usb-ehci',
  'ich9-ehci1': 'ich9-usb-ehci1',
  'ich9-uhci1': 'ich9-usb-uhci1',
  'ich9-uhci2': 'ich9-usb-uhci2',
  'ich9-uhci3': 'ich9-usb-uhci3',
};

const SCSI_MODELS: Record<string, string> = {
  'virtio-scsi': 'virtio-scsi-pci',
  'virtio-transitional': 'virtio-scsi-pci-transitional',
  'virtio-non-transitional': 'virtio-scsi-pci-non-transitional',
  lsilogic: 'lsi',
  lsisas1068: 'mptsas1068',
  lsisas1078: 'megasas',
};

const PCI_MODELS: Record<string, string> = {
  'pcie-root-port': 'pcie-root-port',
  'pci-bridge': 'pci-bridge',
  'pcie-to-pci-bridge': 'pcie-pci-bridge',
  'dmi-to-pci-bridge': 'i82801b11-bridge',
  'pcie-switch-upstream-port': 'x3130-upstream',
  'pcie-switch-downstream-port': 'xio3130-downstream',
};

function where(c: Controller): string {
  return `/domain/devices/controller[@type='${c.type}'][@index='${c.index ?? 0}']`;
}

/** The USB model when prepareDomain left it implicit: libvirt's default for the machine. */
export function usbModel(ctx: BuildCtx, c: Controller): string {
  return c.model ?? (ctx.q35 ? 'qemu-xhci' : 'piix3-uhci');
}

function pciController(ctx: BuildCtx, c: Controller): void {
  const model = c.model;
  if (model === 'pci-root' || model === 'pcie-root') return;
  const driver = c.modelName?.name ?? (model ? PCI_MODELS[model] : undefined);
  if (driver === undefined) throw refuse(where(c), `PCI controller model '${model ?? '(none)'}' is not supported`);
  needDevice(ctx.caps, driver, where(c));
  const o: Record<string, unknown> = { driver };
  const t = c.target;
  // ioh3420 is the older root port (<model name='ioh3420'/>): the same port and chassis properties
  if (driver === 'pcie-root-port' || driver === 'ioh3420' || driver === 'xio3130-downstream') {
    if (t?.port !== undefined) o.port = t.port;
    if (t?.chassis !== undefined) o.chassis = t.chassis;
  } else if (driver === 'pci-bridge') {
    o.chassis_nr = t?.chassisNr ?? c.index;
  }
  if (t?.hotplug === false) o.hotplug = false;
  o.id = aliasOf(c, where(c));
  Object.assign(o, pciProps(ctx, c.address, where(c)));
  push(ctx, '-device', jsonOpt(o));
}

function usbController(ctx: BuildCtx, c: Controller): void {
  const model = usbModel(ctx, c);
  if (model === 'none') return;
  const driver = USB_MODELS[model];
  if (driver === undefined) throw refuse(where(c), `USB controller model '${model}' is not supported`);
  needDevice(ctx.caps, driver, where(c));
  const o: Record<string, unknown> = { driver };
  if (c.ports !== undefined && (driver === 'qemu-xhci' || driver === 'nec-usb-xhci')) {
    o.p2 = c.ports;
    o.p3 = c.ports;
  }
  if (c.master !== undefined) {
    // A UHCI companion shares its index and alias with the EHCI master and has no id of its own.
    o.masterbus = `${aliasOf(c, where(c))}.0`;
    o.firstport = c.master.startport;
  } else {
    o.id = aliasOf(c, where(c));
  }
  Object.assign(o, pciProps(ctx, c.address, where(c)));
  push(ctx, '-device', jsonOpt(o));
}

function scsiController(ctx: BuildCtx, c: Controller): void {
  const model = c.model ?? 'lsilogic';
  const driver = SCSI_MODELS[model];
  if (driver === undefined) throw refuse(where(c), `SCSI controller model '${model}' is not supported`);
  needDevice(ctx.caps, driver, where(c));
  const o: Record<string, unknown> = { driver, id: aliasOf(c, where(c)) };
  const d = c.driver;
  if (driver.startsWith('virtio-scsi')) {
    if (d?.iothread !== undefined) o.iothread = `iothread${d.iothread}`;
    if (d?.queues !== undefined) o.num_queues = d.queues;
    if (d?.cmd_per_lun !== undefined) o.cmd_per_lun = d.cmd_per_lun;
    if (d?.max_sectors !== undefined) o.max_sectors = d.max_sectors;
    if (d?.ioeventfd !== undefined) o.ioeventfd = d.ioeventfd;
  } else if (d !== undefined && (d.queues ?? d.cmd_per_lun ?? d.max_sectors ?? d.ioeventfd ?? d.iothread) !== undefined) {
    throw refuse(`${where(c)}/driver`, `queue and iothread settings need model='virtio-scsi', not '${model}'`);
  }
  Object.assign(o, pciProps(ctx, c.address, where(c)));
  push(ctx, '-device', jsonOpt(o));
}

function ahciController(ctx: BuildCtx, c: Controller): void {
  // The first SATA controller of q35 is the built-in ICH9 AHCI at 00:1f.2.
  if (ctx.q35 && (c.index ?? 0) === 0) return;
  needDevice(ctx.caps, 'ich9-ahci', where(c));
  push(ctx, '-device', jsonOpt({ driver: 'ich9-ahci', id: aliasOf(c, where(c)), ...pciProps(ctx, c.address, where(c)) }));
}

function virtioSerialController(ctx: BuildCtx, c: Controller): void {
  needDevice(ctx.caps, 'virtio-serial-pci', where(c));
  const o: Record<string, unknown> = { driver: 'virtio-serial-pci', id: aliasOf(c, where(c)) };
  if (c.ports !== undefined) o.max_ports = c.ports;
  if (c.vectors !== undefined) o.vectors = c.vectors;
  if (c.driver?.ioeventfd !== undefined && propOk(ctx.caps, 'virtio-serial-pci', 'ioeventfd')) o.ioeventfd = c.driver.ioeventfd;
  Object.assign(o, pciProps(ctx, c.address, where(c)));
  push(ctx, '-device', jsonOpt(o));
}

export function buildControllers(ctx: BuildCtx): void {
  const all = ctx.devices.controller ?? [];
  for (const type of ORDER) {
    const of = all.filter((c) => c.type === type).sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    for (const c of of) {
      switch (type) {
        case 'pci':
          pciController(ctx, c);
          break;
        case 'usb':
          usbController(ctx, c);
          break;
        case 'scsi':
          scsiController(ctx, c);
          break;
        case 'ide':
          if (ctx.q35) throw refuse(where(c), 'q35 has no IDE controller; use bus sata');
          if ((c.index ?? 0) !== 0) throw refuse(where(c), 'only the built-in PIIX IDE controller (index 0) exists');
          break;
        case 'sata':
          ahciController(ctx, c);
          break;
        case 'fdc':
          if (ctx.q35) throw refuse(where(c), 'q35 has no built-in floppy controller');
          break;
        case 'virtio-serial':
          virtioSerialController(ctx, c);
          break;
        default:
          throw refuse(where(c), `controller type '${type}' is not supported`);
      }
    }
  }
}
