/**
 * Step 2 of parse -> defaults -> validate -> format: `prepareDomain` returns
 * a new DomainDef with what libvirt (9-11, QEMU driver, x86 pc and q35)
 * fills in before it builds a command line: uuid and MACs, os arch/machine,
 * implicit controllers and devices, drive / PCI / virtio-serial / USB
 * addresses, serial ports, and device aliases (the QEMU ids). The input is
 * not modified. Randomness comes only from ctx.random.
 *
 * Imports: the domain schema types and core/errors; nothing else.
 */
import { assignAliases } from './aliases.js';
import { addDeviceControllers, addMachineControllers, numberControllers, setControllerModels } from './controllers.js';
import { deviceDefaults } from './device-defaults.js';
import { assignDriveAddresses, checkDriveAddresses } from './drive-address.js';
import { fillIdentity } from './identity.js';
import { addImplicitInputs, addImplicitMisc, addImplicitVideo } from './implicit-devices.js';
import { assignPciAddresses } from './pci-address.js';
import { assignVirtioSerialPorts, chrTargetDefaults, consoleCompat } from './serial-ports.js';
import type { DomainDef, PrepareContext } from './types.js';
import { machineKind, rememberPaths } from './types.js';
import { assignUsbPorts } from './usb-ports.js';

export type { PrepareCaps, PrepareContext, MachineKind } from './types.js';
export { machineKind } from './types.js';
export { assignAliases, controllerAlias, stripAliases } from './aliases.js';
export { diskNameToIndex } from './drive-address.js';
export { generateMac, generateUuid } from './identity.js';

export function prepareDomain(input: DomainDef, ctx: PrepareContext): DomainDef {
  const def = structuredClone(input);
  rememberPaths(def.devices);
  fillIdentity(def, ctx);
  const machine = machineKind(def);

  // virDomainDefPostParse's order: controller indexes, the QEMU driver's
  // default devices, per-device defaults, then devices implied by others.
  numberControllers(def);
  addImplicitInputs(def);
  addMachineControllers(def, machine);
  addImplicitMisc(def, machine);

  assignDriveAddresses(def, machine);
  deviceDefaults(def);
  setControllerModels(def, machine);
  chrTargetDefaults(def);

  consoleCompat(def);
  chrTargetDefaults(def);
  addDeviceControllers(def);
  setControllerModels(def, machine);
  addImplicitVideo(def);

  // Addresses (qemuDomainAssignAddresses), then ids.
  checkDriveAddresses(def, machine);
  assignVirtioSerialPorts(def);
  assignPciAddresses(def, machine);
  assignUsbPorts(def);
  return assignAliases(def);
}
