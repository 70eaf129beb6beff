/**
 * Reads the host's PCI devices from sysfs under a root that tests point at a fake tree
 * (tests/helpers/fake-pci.ts); on a real host the root is '/'. Per device
 * (sys/bus/pci/devices/ADDR, a link into sys/devices/pci...): vendor, device, class, the
 * driver and iommu_group links, driver_override, numa_node, SR-IOV (physfn, virtfnN,
 * sriov_totalvfs), the network interfaces under net/ and whether a `reset` file exists.
 */
import { readFile, readdir, readlink, realpath, access } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { VirtkitError } from '../../core/errors.js';
import { parseSysfsAddress } from '../../core/nodedev/pci-address.js';
import type { PciDeviceInfo, PciNetInterface } from '../../core/nodedev/types.js';

const read = (p: string): Promise<string | undefined> => readFile(p, 'utf8').then((s) => s.trim(), () => undefined);
const link = (p: string): Promise<string | undefined> => readlink(p).then((s) => basename(s), () => undefined);
const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);
const hexNum = (s: string | undefined): number => (s === undefined ? 0 : Number.parseInt(s.replace(/^0x/i, ''), 16) || 0);

export const devicesDir = (root: string): string => join(root, 'sys/bus/pci/devices');

/** The bound driver of `address` ('vfio-pci', 'e1000e'), null when unbound. */
export async function driverOf(root: string, address: string): Promise<string | null> {
  return (await link(join(devicesDir(root), address, 'driver'))) ?? null;
}

async function netInterfaces(dir: string): Promise<PciNetInterface[]> {
  const names = await readdir(join(dir, 'net')).catch(() => [] as string[]);
  return Promise.all(names.sort().map(async (name) => ({ name, mac: (await read(join(dir, 'net', name, 'address'))) ?? null })));
}

async function virtfns(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const idx = names.flatMap((n) => { const m = /^virtfn(\d+)$/.exec(n); return m ? [Number(m[1])] : []; }).sort((a, b) => a - b);
  const out: string[] = [];
  for (const i of idx) { const l = await link(join(dir, `virtfn${i}`)); if (l !== undefined) out.push(l); }
  return out;
}

/** One device; NODEDEV_NOT_FOUND when sysfs has no such address. */
export async function readPciDevice(root: string, address: string): Promise<PciDeviceInfo> {
  const dir = join(devicesDir(root), address);
  const real = await realpath(dir).catch(() => undefined);
  if (real === undefined || parseSysfsAddress(address) === undefined) {
    throw new VirtkitError('NODEDEV_NOT_FOUND', `no PCI device ${address} on this host (see virtkit nodedev-list --cap pci)`, { details: { address } });
  }
  const [vendor, device, klass, driver, override, group, numa, physfn, vfs, total, net, canReset] = await Promise.all([
    read(join(dir, 'vendor')), read(join(dir, 'device')), read(join(dir, 'class')), link(join(dir, 'driver')),
    read(join(dir, 'driver_override')), link(join(dir, 'iommu_group')), read(join(dir, 'numa_node')),
    link(join(dir, 'physfn')), virtfns(dir), read(join(dir, 'sriov_totalvfs')), netInterfaces(dir), exists(join(dir, 'reset')),
  ]);
  const groupNo = group === undefined ? null : Number(group);
  const members = groupNo === null ? [] : (await readdir(join(root, 'sys/kernel/iommu_groups', String(groupNo), 'devices')).catch(() => [] as string[])).sort();
  const parentName = basename(dirname(real));
  const numaNo = numa === undefined ? -1 : Number(numa);
  return {
    address,
    // libvirt's <path>: where the device really lives, as the host (not the test root) sees it.
    path: `/${relative(await realpath(root), real)}`,
    parent: parseSysfsAddress(parentName) === undefined ? null : parentName,
    vendor: hexNum(vendor), device: hexNum(device), class: hexNum(klass),
    driver: driver ?? null,
    driverOverride: override === undefined || override === '' || override === '(null)' ? null : override,
    iommuGroup: groupNo, iommuGroupMembers: members,
    numaNode: Number.isInteger(numaNo) && numaNo >= 0 ? numaNo : null,
    physfn: physfn ?? null, virtfns: vfs,
    totalVfs: total === undefined ? null : Number(total),
    net, canReset,
  };
}

/** Every PCI device, sorted by address. */
export async function listPciDevices(root: string): Promise<PciDeviceInfo[]> {
  const names = (await readdir(devicesDir(root)).catch(() => [] as string[])).filter((n) => parseSysfsAddress(n) !== undefined).sort();
  return Promise.all(names.map((n) => readPciDevice(root, n)));
}

/** The devices by address, for the group checks. */
export async function pciDeviceMap(root: string): Promise<Map<string, PciDeviceInfo>> {
  return new Map((await listPciDevices(root)).map((d) => [d.address, d]));
}
