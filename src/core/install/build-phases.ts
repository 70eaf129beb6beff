/**
 * A Draft -> one domain XML per phase, as virt-install writes them: the install phase boots the media
 * (cdrom then hd, the copied --location kernel, PXE, or the disk with the cloud-init seed attached) with
 * <on_reboot>destroy</on_reboot> appended; the final definition boots hd, keeps an emptied cdrom for
 * install media (Windows keeps the ISO: its installer reboots into it) and an emptied cloud-init cdrom.
 */
import { DEVICE_ORDER, type Draft, type DraftDevice } from './draft.js';
import { el, formatXml, type XNode } from './xml-out.js';

export type InstallMethod = 'import' | 'cdrom' | 'location' | 'pxe' | 'kernel';

export interface PhaseInput {
  method: InstallMethod;
  virtType: string;
  /** The --location kernel/initrd (copied under bootDir) and the kernel arguments, for the install phase. */
  location: { kernel: string; initrd: string; cmdline: string | null } | null;
  /** The cloud-init seed ISO (phase 1 only) and the bus/target it gets. */
  cloudInit: { path: string; bus: string; dev: string } | null;
  /** Some device has its own boot.order: no <boot dev> then. */
  perDeviceBoot: boolean;
}

function sortDevices(devices: DraftDevice[]): DraftDevice[] {
  const rank = (d: DraftDevice): number => DEVICE_ORDER.indexOf(d.node.name as (typeof DEVICE_ORDER)[number]);
  return devices.map((d, i) => ({ d, i })).sort((a, b) => rank(a.d) - rank(b.d) || a.i - b.i).map((x) => x.d);
}

const emptied = (n: XNode): XNode => ({ ...n, children: n.children.filter((c) => c.name !== 'driver' && c.name !== 'source') });

function osNode(draft: Draft, install: boolean, p: PhaseInput): XNode {
  const o = draft.os;
  const kids: XNode[] = [el('type', { arch: o.arch, machine: o.machine }, 'hvm')];
  kids.push(...o.extra.filter((x) => x.name === 'loader' || x.name === 'nvram'));
  const kernel = install && p.location ? p.location : o.kernel;
  if (kernel) {
    if (kernel.kernel !== null) kids.push(el('kernel', {}, kernel.kernel));
    if (kernel.initrd !== null) kids.push(el('initrd', {}, kernel.initrd));
    if (kernel.cmdline !== null) kids.push(el('cmdline', {}, kernel.cmdline));
  }
  let devs: string[];
  if (o.bootDevs.length > 0) devs = o.bootDevs;
  else if (p.perDeviceBoot || o.kernel) devs = [];
  else if (!install) devs = ['hd'];
  else if (p.method === 'cdrom') devs = ['cdrom', 'hd'];
  else if (p.method === 'pxe') devs = ['network'];
  else if (p.method === 'location' || p.cloudInit) devs = [];
  else devs = ['hd'];
  kids.push(...devs.map((dev) => el('boot', { dev })));
  kids.push(...o.extra.filter((x) => x.name !== 'loader' && x.name !== 'nvram' && x.name !== 'bios'));
  const smbios = install && p.cloudInit ? 'sysinfo' : o.smbios;
  if (smbios !== null) kids.push(el('smbios', { mode: smbios }));
  kids.push(...o.extra.filter((x) => x.name === 'bios'));
  return el('os', { firmware: o.firmware }, kids);
}

/** The domain XML of one phase. `install` is the install phase (only when the plan has two). */
export function renderPhase(draft: Draft, install: boolean, p: PhaseInput): string {
  const devices = sortDevices(draft.devices).map((d) => (!install && d.installMedia && !draft.windows ? emptied(d.node) : d.node));
  const tail = install ? draft.tail.filter((n) => n.name !== 'on_reboot') : draft.tail;
  const after: XNode[] = [];
  if (p.cloudInit) {
    const cd = el('disk', { type: 'file', device: 'cdrom' }, [
      el('driver', { name: 'qemu', type: 'raw' }), el('source', { file: p.cloudInit.path }),
      el('target', { dev: p.cloudInit.dev, bus: p.cloudInit.bus }), el('readonly')]);
    devices.push(install ? cd : emptied(cd));
    if (install) after.push(el('sysinfo', { type: 'smbios' }, [el('system', {}, [el('entry', { name: 'serial' }, 'ds=nocloud')])]));
  }
  if (install) after.push(el('on_reboot', {}, 'destroy'));
  const dom = el('domain', { type: p.virtType }, [
    el('name', {}, draft.name), el('uuid', {}, draft.uuid), ...draft.head, osNode(draft, install, p), ...tail,
    el('devices', {}, [el('emulator', {}, draft.emulator), ...devices]), ...after,
  ]);
  return formatXml(dom);
}

/** Whether the plan has an install phase before the final definition. */
export const hasInstallPhase = (p: PhaseInput): boolean => p.method === 'cdrom' || p.method === 'location' || p.method === 'pxe' || p.cloudInit !== null;
