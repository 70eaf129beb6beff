/**
 * A fake host PCI tree for src/host/pci: `fakePci(spec)` writes sys/devices/pci0000:00/...
 * device directories (vendor, device, class, driver_override, numa_node, reset,
 * sriov_totalvfs, net/IFNAME/address), the links the kernel makes (bus/pci/devices/ADDR,
 * driver, iommu_group, physfn, virtfnN, kernel/iommu_groups/N/devices/ADDR) and the driver
 * directories (bus/pci/drivers/X/{bind,unbind}, bus/pci/drivers_probe).
 *
 * A fake tree does not react to writes, so `kernel.write` (a SysfsWriter) plays the kernel's
 * part for the files that matter and records every write in order:
 *   drivers/X/unbind ADDR   removes ADDR's driver link (ENODEV when ADDR is not bound to X)
 *   drivers/X/bind ADDR     links ADDR to X when unbound
 *   drivers_probe ADDR      binds an unbound ADDR to its driver_override when that driver is
 *                           loaded (else leaves it unbound), or to its `hostDriver` without one
 *   driver_override V       stores V ("\n" clears it)
 * A device with `refuses` never binds to that driver (to test a failed bind).
 */
import { mkdir, mkdtemp, readFile, readlink, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';

export interface FakePciDevice {
  readonly address: string;
  readonly vendor?: number;
  readonly device?: number;
  /** 0x020000 (Ethernet) unless given; 0x060400 makes a PCI bridge. */
  readonly class?: number;
  /** Bound at the start (null or absent: unbound). */
  readonly driver?: string | null;
  /** What a probe without driver_override binds (default: `driver`). */
  readonly hostDriver?: string;
  readonly iommuGroup?: number;
  /** The bridge it sits behind (its sysfs directory is inside the bridge's). */
  readonly parent?: string;
  readonly numaNode?: number;
  /** Makes it an SR-IOV VF of that PF (listed as the PF's virtfnN in spec order). */
  readonly physfn?: string;
  readonly totalVfs?: number;
  readonly net?: readonly { readonly name: string; readonly mac: string }[];
  /** Has a `reset` file (default true). */
  readonly reset?: boolean;
  readonly refuses?: string;
}

export interface FakePciSpec {
  readonly devices: readonly FakePciDevice[];
  /** Whether vfio-pci is loaded (default true). */
  readonly vfio?: boolean;
}

export interface SysfsWriteRecord {
  readonly path: string;
  readonly value: string;
}

export interface FakePci {
  readonly root: string;
  /** A SysfsWriter that acts as the kernel. */
  readonly write: (path: string, value: string) => Promise<void>;
  /** Every write through `write`, in order, paths relative to the root. */
  readonly writes: SysfsWriteRecord[];
  driverOf(address: string): Promise<string | null>;
  remove(): Promise<void>;
}

const hex = (v: number, w: number): string => `0x${v.toString(16).padStart(w, '0')}`;

async function link(target: string, at: string): Promise<void> {
  await mkdir(dirname(at), { recursive: true });
  await symlink(relative(dirname(at), target), at);
}

export async function fakePci(spec: FakePciSpec): Promise<FakePci> {
  const root = await mkdtemp(join(tmpdir(), 'vk-fake-pci-'));
  const sys = join(root, 'sys');
  const byAddr = new Map(spec.devices.map((d) => [d.address, d]));
  const dirOf = (a: string): string => {
    const d = byAddr.get(a);
    if (d?.parent !== undefined) return join(dirOf(d.parent), a);
    return join(sys, 'devices', `pci${a.slice(0, 4)}:00`, a);
  };
  const drivers = new Set<string>(spec.vfio === false ? [] : ['vfio-pci']);
  for (const d of spec.devices) for (const n of [d.driver, d.hostDriver]) if (typeof n === 'string') drivers.add(n);
  for (const n of drivers) {
    await mkdir(join(sys, 'bus/pci/drivers', n), { recursive: true });
    for (const f of ['bind', 'unbind', 'new_id']) await writeFile(join(sys, 'bus/pci/drivers', n, f), '');
  }
  await writeFile(join(sys, 'bus/pci/drivers_probe'), '');
  for (const d of spec.devices) {
    const dir = dirOf(d.address);
    await mkdir(dir, { recursive: true });
    const files: Record<string, string> = {
      vendor: hex(d.vendor ?? 0x8086, 4), device: hex(d.device ?? 0x10fb, 4), class: hex(d.class ?? 0x020000, 6),
      driver_override: '(null)', numa_node: String(d.numaNode ?? -1),
    };
    if (d.reset ?? true) files.reset = '';
    if (d.totalVfs !== undefined) { files.sriov_totalvfs = String(d.totalVfs); files.sriov_numvfs = String(spec.devices.filter((v) => v.physfn === d.address).length); }
    for (const [f, v] of Object.entries(files)) await writeFile(join(dir, f), `${v}\n`);
    for (const n of d.net ?? []) { await mkdir(join(dir, 'net', n.name), { recursive: true }); await writeFile(join(dir, 'net', n.name, 'address'), `${n.mac}\n`); }
    await link(dir, join(sys, 'bus/pci/devices', d.address));
    if (typeof d.driver === 'string') await link(join(sys, 'bus/pci/drivers', d.driver), join(dir, 'driver'));
    if (d.iommuGroup !== undefined) {
      const g = join(sys, 'kernel/iommu_groups', String(d.iommuGroup));
      await link(g, join(dir, 'iommu_group'));
      await link(dir, join(g, 'devices', d.address));
    }
  }
  for (const pf of spec.devices) {
    const vfs = spec.devices.filter((v) => v.physfn === pf.address);
    for (const [i, vf] of vfs.entries()) {
      await link(dirOf(vf.address), join(dirOf(pf.address), `virtfn${i}`));
      await link(dirOf(pf.address), join(dirOf(vf.address), 'physfn'));
    }
  }

  const devLink = (a: string): string => join(sys, 'bus/pci/devices', a, 'driver');
  const driverOf = (a: string): Promise<string | null> => readlink(devLink(a)).then((t) => basename(t), () => null);
  const bind = async (a: string, drv: string): Promise<void> => {
    if (byAddr.get(a)?.refuses === drv || !drivers.has(drv)) return;
    await link(join(sys, 'bus/pci/drivers', drv), join(dirOf(a), 'driver'));
  };
  const enodev = (what: string): Error => Object.assign(new Error(`ENODEV: no such device, write '${what}'`), { code: 'ENODEV' });
  const writes: SysfsWriteRecord[] = [];
  const write = async (path: string, value: string): Promise<void> => {
    const rel = relative(root, path);
    writes.push({ path: rel, value });
    const a = value.trim();
    let m: RegExpExecArray | null;
    if ((m = /^sys\/bus\/pci\/drivers\/([^/]+)\/unbind$/.exec(rel))) {
      if ((await driverOf(a)) !== m[1]) throw enodev(rel);
      await unlink(join(dirOf(a), 'driver'));
    } else if ((m = /^sys\/bus\/pci\/drivers\/([^/]+)\/bind$/.exec(rel))) {
      if ((await driverOf(a)) !== null || !byAddr.has(a)) throw enodev(rel);
      await bind(a, m[1] ?? '');
    } else if (rel === 'sys/bus/pci/drivers_probe') {
      if (!byAddr.has(a)) throw enodev(rel);
      if ((await driverOf(a)) !== null) return;
      const override = (await readFile(join(dirOf(a), 'driver_override'), 'utf8')).trim();
      const d = byAddr.get(a);
      const target = override !== '' && override !== '(null)' ? override : d?.hostDriver ?? d?.driver ?? undefined;
      if (target) await bind(a, target);
    } else if (/\/driver_override$/.test(rel)) {
      await writeFile(path, a === '' ? '(null)\n' : `${a}\n`);
    } else {
      await writeFile(path, value);
    }
  };
  return { root, write, writes, driverOf, remove: () => rm(root, { recursive: true, force: true }) };
}

/**
 * A host with two NICs: an SR-IOV PF 0000:03:00.0 (ixgbe, eth0, group 20) with VFs
 * 0000:03:10.0 and 0000:03:10.2 (ixgbevf, groups 21 and 22), a dual-port NIC 0000:04:00.0/1
 * (e1000e, eth1/eth2) sharing group 30 behind the bridge 0000:00:1c.0 (group 30 too), and a
 * SATA controller 0000:00:1f.2 (ahci, group 10).
 */
export const TWO_NIC_HOST: FakePciSpec = {
  devices: [
    { address: '0000:00:1c.0', class: 0x060400, vendor: 0x8086, device: 0x1d10, driver: 'pcieport', iommuGroup: 30 },
    { address: '0000:00:1f.2', class: 0x010601, vendor: 0x8086, device: 0x2922, driver: 'ahci', iommuGroup: 10 },
    { address: '0000:03:00.0', vendor: 0x8086, device: 0x10fb, driver: 'ixgbe', iommuGroup: 20, totalVfs: 63, numaNode: 0, net: [{ name: 'eth0', mac: '00:1b:21:aa:bb:01' }] },
    { address: '0000:03:10.0', vendor: 0x8086, device: 0x10ed, driver: 'ixgbevf', iommuGroup: 21, physfn: '0000:03:00.0', net: [{ name: 'eth0v0', mac: '02:00:00:00:10:00' }] },
    { address: '0000:03:10.2', vendor: 0x8086, device: 0x10ed, driver: 'ixgbevf', iommuGroup: 22, physfn: '0000:03:00.0' },
    { address: '0000:04:00.0', parent: '0000:00:1c.0', vendor: 0x8086, device: 0x105e, driver: 'e1000e', iommuGroup: 30, net: [{ name: 'eth1', mac: '00:15:17:00:00:01' }] },
    { address: '0000:04:00.1', parent: '0000:00:1c.0', vendor: 0x8086, device: 0x105e, driver: 'e1000e', iommuGroup: 30, net: [{ name: 'eth2', mac: '00:15:17:00:00:02' }] },
  ],
};
