/**
 * The sysfs writes that move a PCI device between its host driver and vfio-pci, in the order
 * the kernel needs them (libvirt's virPCIDeviceBindToStub / UnbindFromStub):
 *
 *   detach:   driver_override <- vfio-pci; drivers/CUR/unbind <- ADDR (when bound); drivers_probe <- ADDR
 *   reattach: driver_override <- "\n";     drivers/vfio-pci/unbind <- ADDR (when bound); drivers_probe <- ADDR
 *   reset:    reset <- 1
 *
 * Paths are relative to the host's root ("sys/bus/pci/..."). driver_override first, so that the
 * probe after the unbind cannot hand the device back to its old driver. Pure: src/host/pci/bind.ts
 * carries the steps out and checks the driver the device ends up with.
 */
import { VFIO_DRIVER, type PciDeviceInfo } from './types.js';

export interface SysfsWrite {
  /** Relative to the root ("sys/bus/pci/devices/0000:03:00.0/driver_override"). */
  readonly path: string;
  readonly value: string;
}

const dev = (a: string, file: string): string => `sys/bus/pci/devices/${a}/${file}`;
const PROBE = 'sys/bus/pci/drivers_probe';

/** Binds `d` to vfio-pci; no writes when it is bound there already. */
export function detachWrites(d: Pick<PciDeviceInfo, 'address' | 'driver'>): SysfsWrite[] {
  if (d.driver === VFIO_DRIVER) return [];
  return [
    { path: dev(d.address, 'driver_override'), value: VFIO_DRIVER },
    ...(d.driver === null ? [] : [{ path: `sys/bus/pci/drivers/${d.driver}/unbind`, value: d.address }]),
    { path: PROBE, value: d.address },
  ];
}

/** Gives `d` back to whichever host driver claims it; no writes when it is not on vfio-pci and has no override. */
export function reattachWrites(d: Pick<PciDeviceInfo, 'address' | 'driver' | 'driverOverride'>): SysfsWrite[] {
  if (d.driver !== VFIO_DRIVER && d.driverOverride === null) return [];
  // The kernel clears driver_override on a write of a lone newline (libvirt writes "\n" too).
  const out: SysfsWrite[] = [{ path: dev(d.address, 'driver_override'), value: '\n' }];
  if (d.driver === VFIO_DRIVER) out.push({ path: `sys/bus/pci/drivers/${VFIO_DRIVER}/unbind`, value: d.address });
  if (d.driver === null || d.driver === VFIO_DRIVER) out.push({ path: PROBE, value: d.address });
  return out;
}

export function resetWrites(d: Pick<PciDeviceInfo, 'address'>): SysfsWrite[] {
  return [{ path: dev(d.address, 'reset'), value: '1' }];
}
