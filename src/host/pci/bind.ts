/**
 * Detach, reattach and reset host PCI devices through sysfs (the writes of
 * core/nodedev/bind-plan.ts), under an injectable root and writer: production writes the real
 * files under '/', tests a fake tree whose "kernel" reacts to the writes
 * (tests/helpers/fake-pci.ts). The kernel's answer is never assumed: after the writes the
 * device's driver link is read back, and a detach that did not end on vfio-pci is undone and
 * reported (NODEDEV_FAILED).
 */
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { asVirtkitError, VirtkitError } from '../../core/errors.js';
import { detachWrites, reattachWrites, resetWrites, type SysfsWrite } from '../../core/nodedev/bind-plan.js';
import { checkGroups } from '../../core/nodedev/iommu-group.js';
import { nodedevName } from '../../core/nodedev/pci-address.js';
import { VFIO_DRIVER, type PciDeviceInfo } from '../../core/nodedev/types.js';
import { driverOf, pciDeviceMap, readPciDevice } from './read.js';

/** Writes `value` to the sysfs file at the absolute path `path`. */
export type SysfsWriter = (path: string, value: string) => Promise<void>;

export const writeSysfs: SysfsWriter = (path, value) => writeFile(path, value);

export interface PciHostOptions {
  /** '/' on a real host. */
  readonly root: string;
  readonly write?: SysfsWriter;
}

export interface BindResult {
  readonly address: string;
  readonly name: string;
  /** The driver before and after (null: unbound). */
  readonly before: string | null;
  readonly after: string | null;
  /** What was written, in order (empty when the device was where it should be already). */
  readonly writes: readonly SysfsWrite[];
}

export class PciHost {
  readonly root: string;
  readonly #write: SysfsWriter;

  constructor(opts: PciHostOptions) {
    this.root = opts.root;
    this.#write = opts.write ?? writeSysfs;
  }

  async #apply(writes: readonly SysfsWrite[]): Promise<void> {
    for (const w of writes) {
      try {
        await this.#write(join(this.root, w.path), w.value);
      } catch (e) {
        throw new VirtkitError('NODEDEV_FAILED', `writing '${w.value.trim()}' to /${w.path} failed: ${asVirtkitError(e).message}`, { details: { path: `/${w.path}`, value: w.value }, cause: e });
      }
    }
  }

  /**
   * Binds every device of `addresses` to vfio-pci, after checking that vfio-pci is loaded and
   * that no other device of their IOMMU groups holds a host driver (IOMMU_GROUP_BUSY, naming
   * them; nothing is written then). `together` are the devices assigned along with them (a
   * domain's unmanaged hostdevs): they count as assigned in that check. Devices on vfio-pci
   * already are left alone. When one fails, those detached before it are reattached.
   * `scanned`: the host's devices as the caller has just read them (a domain start reads them
   * once); read here when absent.
   */
  async detach(addresses: readonly string[], together: readonly string[] = [], scanned?: ReadonlyMap<string, PciDeviceInfo>): Promise<BindResult[]> {
    const devices = scanned ?? await pciDeviceMap(this.root);
    for (const a of addresses) if (!devices.has(a)) await readPciDevice(this.root, a); // NODEDEV_NOT_FOUND
    const vfio = await access(join(this.root, 'sys/bus/pci/drivers', VFIO_DRIVER)).then(() => true, () => false);
    if (!vfio && addresses.some((a) => devices.get(a)?.driver !== VFIO_DRIVER)) {
      throw new VirtkitError('HOST_UNSUPPORTED', `the ${VFIO_DRIVER} driver is not loaded on this host (no /sys/bus/pci/drivers/${VFIO_DRIVER}): load it (modprobe ${VFIO_DRIVER}) and enable the IOMMU (intel_iommu=on or amd_iommu=on)`);
    }
    const noGroup = addresses.filter((a) => devices.get(a)?.iommuGroup === null && devices.get(a)?.driver !== VFIO_DRIVER);
    if (noGroup.length > 0) {
      throw new VirtkitError('HOST_UNSUPPORTED', `PCI device${noGroup.length > 1 ? 's' : ''} ${noGroup.join(', ')} ${noGroup.length > 1 ? 'are' : 'is'} in no IOMMU group, so VFIO cannot assign ${noGroup.length > 1 ? 'them' : 'it'}: enable the IOMMU (intel_iommu=on or amd_iommu=on on the kernel command line, VT-d/AMD-Vi in the firmware)`, { details: { addresses: noGroup } });
    }
    checkGroups([...new Set([...addresses, ...together])], devices);
    const done: BindResult[] = [];
    try {
      for (const a of addresses) done.push(await this.#detachOne(devices.get(a) as PciDeviceInfo));
    } catch (e) {
      for (const r of done.reverse()) if (r.writes.length > 0) await this.reattach(r.address).catch(() => undefined);
      throw e;
    }
    return done;
  }

  async #detachOne(d: PciDeviceInfo): Promise<BindResult> {
    const writes = detachWrites(d);
    await this.#apply(writes);
    const after = await driverOf(this.root, d.address);
    if (after !== VFIO_DRIVER) {
      // Give it back rather than leave it with no driver and an override.
      await this.#apply(reattachWrites({ address: d.address, driver: after, driverOverride: VFIO_DRIVER })).catch(() => undefined);
      throw new VirtkitError('NODEDEV_FAILED', `PCI device ${d.address} did not bind to ${VFIO_DRIVER} (it is ${after === null ? 'unbound' : `bound to '${after}'`} after the probe); see the kernel log (dmesg)`, { details: { address: d.address, driver: after } });
    }
    return { address: d.address, name: nodedevName(d.address), before: d.driver, after, writes };
  }

  /** Gives `address` back to its host driver (whichever claims it on the probe; it may stay unbound). */
  async reattach(address: string): Promise<BindResult> {
    const d = await readPciDevice(this.root, address);
    const writes = reattachWrites(d);
    await this.#apply(writes);
    const after = await driverOf(this.root, address);
    if (after === VFIO_DRIVER) {
      throw new VirtkitError('NODEDEV_FAILED', `PCI device ${address} is still bound to ${VFIO_DRIVER} after the reattach; see the kernel log (dmesg)`, { details: { address } });
    }
    return { address, name: nodedevName(address), before: d.driver, after, writes };
  }

  /** A function-level (or bus) reset through the device's `reset` file. */
  async reset(address: string): Promise<BindResult> {
    const d = await readPciDevice(this.root, address);
    if (!d.canReset) throw new VirtkitError('OPERATION_INVALID', `PCI device ${address} offers no reset method (it has no reset file in sysfs)`, { details: { address } });
    if (d.driver !== null && d.driver !== VFIO_DRIVER) {
      throw new VirtkitError('OPERATION_INVALID', `PCI device ${address} is bound to host driver '${d.driver}': detach it first (virtkit nodedev-detach ${nodedevName(address)}), a reset under a live driver would break it`, { details: { address, driver: d.driver } });
    }
    const writes = resetWrites(d);
    await this.#apply(writes);
    return { address, name: nodedevName(address), before: d.driver, after: d.driver, writes };
  }
}
