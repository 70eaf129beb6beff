/**
 * The remaining devices in libvirt's order: watchdog, host devices,
 * memballoon, RNG; the -smbios tables; and refusals for the device kinds
 * virtkit does not translate yet.
 */
import { needDevice, needObject, propOk } from './caps-view.js';
import type { BuildCtx } from './context.js';
import { aliasOf, pciProps, push, refuse, usbProps } from './context.js';
import { jsonOpt, keyval } from './escape.js';
import type { OptPair } from './escape.js';
import { interfaceHostdevs } from './net.js';
import { sysfsAddressOfXml } from '../../nodedev/pci-address.js';

export function refuseUntranslated(ctx: BuildCtx): void {
  const d = ctx.devices;
  const kinds: Array<[string, unknown[] | undefined]> = [
    ['filesystem', d.filesystem],
    ['sound', d.sound],
    ['tpm', d.tpm],
  ];
  for (const [k, list] of kinds) if (list !== undefined && list.length > 0) throw refuse(`/domain/devices/${k}`, `<${k}> devices are not supported yet`);
  if (d.vsock !== undefined) throw refuse('/domain/devices/vsock', '<vsock> is not supported yet');
  if (ctx.def.commandline !== undefined) throw refuse('/domain/qemu:commandline', 'QEMU command-line passthrough is not supported');
}

export function buildWatchdogs(ctx: BuildCtx): void {
  const list = ctx.devices.watchdog ?? [];
  list.forEach((wd, i) => {
    const w = `/domain/devices/watchdog[${i + 1}]`;
    switch (wd.model) {
      case 'itco':
        if (!ctx.q35) throw refuse(w, 'the iTCO watchdog is part of q35 machines only');
        push(ctx, '-global', 'ICH9-LPC.noreboot=off');
        break;
      case 'ib700':
        needDevice(ctx.caps, 'ib700', w);
        push(ctx, '-device', jsonOpt({ driver: 'ib700', id: aliasOf(wd, w) }));
        break;
      case 'i6300esb':
        needDevice(ctx.caps, 'i6300esb', w);
        push(ctx, '-device', jsonOpt({ driver: 'i6300esb', id: aliasOf(wd, w), ...pciProps(ctx, wd.address, w) }));
        break;
      default:
        throw refuse(`${w}/@model`, `watchdog model '${wd.model}' is not available on x86`);
    }
  });
  const first = list[0];
  if (first !== undefined) {
    // QEMU has no 'dump' action; libvirt pauses and dumps itself.
    const a = first.action ?? 'reset';
    push(ctx, '-watchdog-action', a === 'dump' ? 'pause' : a);
  }
}

export function buildHostdevs(ctx: BuildCtx): void {
  for (const n of interfaceHostdevs(ctx)) {
    const w = `/domain/devices/interface[@type='hostdev']`;
    const a = n.source?.hostAddress;
    if (a === undefined) throw refuse(`${w}/source/address`, 'a hostdev interface needs a PCI source address');
    needDevice(ctx.caps, 'vfio-pci', w);
    const o: Record<string, unknown> = { driver: 'vfio-pci', host: sysfsAddressOfXml(a), id: aliasOf(n, w) };
    const boot = ctx.bootIndex.get(aliasOf(n, w));
    if (boot !== undefined) o.bootindex = boot;
    push(ctx, '-device', jsonOpt({ ...o, ...pciProps(ctx, n.address, w) }));
  }
  (ctx.devices.hostdev ?? []).forEach((h, i) => {
    const w = `/domain/devices/hostdev[${i + 1}]`;
    const alias = aliasOf(h, w);
    const boot = ctx.bootIndex.get(alias);
    if (h.type === 'pci') {
      if (h.driver?.name !== undefined && h.driver.name !== 'vfio') throw refuse(`${w}/driver/@name`, `only VFIO assignment is supported, not '${h.driver.name}'`);
      const a = h.source?.address;
      if (a === undefined) throw refuse(`${w}/source/address`, 'a PCI host device needs a source address');
      needDevice(ctx.caps, 'vfio-pci', w);
      const o: Record<string, unknown> = { driver: 'vfio-pci', host: sysfsAddressOfXml(a), id: alias };
      if (boot !== undefined) o.bootindex = boot;
      if (h.rom?.bar !== undefined) o.rombar = h.rom.bar ? 1 : 0;
      if (h.rom?.file !== undefined) o.romfile = h.rom.file;
      push(ctx, '-device', jsonOpt({ ...o, ...pciProps(ctx, h.address, w) }));
    } else if (h.type === 'usb') {
      needDevice(ctx.caps, 'usb-host', w);
      const s = h.source;
      const o: Record<string, unknown> = { driver: 'usb-host' };
      if (s?.address?.bus !== undefined && s.address.device !== undefined) {
        const p3 = (v: string): string => String(Number(v)).padStart(3, '0');
        o.hostdevice = `/dev/bus/usb/${p3(s.address.bus)}/${p3(s.address.device)}`;
      } else if (s?.vendor !== undefined && s.product !== undefined) {
        o.vendorid = Number(s.vendor.id);
        o.productid = Number(s.product.id);
      } else {
        throw refuse(`${w}/source`, 'a USB host device needs a bus/device address or a vendor/product id');
      }
      o.id = alias;
      const gr = s?.guestReset;
      if (gr !== undefined) {
        o['guest-reset'] = gr !== 'off';
        if (gr !== 'off' && propOk(ctx.caps, 'usb-host', 'guest-resets-all')) o['guest-resets-all'] = gr === 'on';
      }
      if (boot !== undefined) o.bootindex = boot;
      push(ctx, '-device', jsonOpt({ ...o, ...usbProps(ctx, h.address, w) }));
    } else {
      throw refuse(`${w}/@type`, `host device type '${h.type}' is not supported (pci, usb)`);
    }
  });
}

export function buildBalloon(ctx: BuildCtx): void {
  const b = ctx.devices.memballoon;
  if (b === undefined || b.model === 'none') return;
  const w = '/domain/devices/memballoon';
  const driver = b.model === 'virtio' ? 'virtio-balloon-pci' : `virtio-balloon-pci-${b.model.replace('virtio-', '')}`;
  needDevice(ctx.caps, driver, w);
  const o: Record<string, unknown> = { driver, id: aliasOf(b, w), ...pciProps(ctx, b.address, w) };
  if (b.autodeflate !== undefined) o['deflate-on-oom'] = b.autodeflate;
  if (b.freePageReporting !== undefined) o['free-page-reporting'] = b.freePageReporting;
  push(ctx, '-device', jsonOpt(o));
}

export function buildRngs(ctx: BuildCtx): void {
  (ctx.devices.rng ?? []).forEach((r, i) => {
    const w = `/domain/devices/rng[${i + 1}]`;
    const alias = aliasOf(r, w);
    const be = r.backend;
    const obj = `obj${alias}`;
    if (be?.model === 'random' || be === undefined) {
      needObject(ctx.caps, 'rng-random', w);
      push(ctx, '-object', jsonOpt({ 'qom-type': 'rng-random', id: obj, filename: be?.value?.trim() || '/dev/urandom' }));
    } else if (be.model === 'builtin') {
      needObject(ctx.caps, 'rng-builtin', w);
      push(ctx, '-object', jsonOpt({ 'qom-type': 'rng-builtin', id: obj }));
    } else {
      throw refuse(`${w}/backend/@model`, `RNG backend '${be.model}' is not supported (random, builtin)`);
    }
    const driver = r.model === 'virtio' ? 'virtio-rng-pci' : `virtio-rng-pci-${r.model.replace('virtio-', '')}`;
    needDevice(ctx.caps, driver, w);
    const o: Record<string, unknown> = { driver, rng: obj, id: alias };
    if (r.rate !== undefined) {
      o['max-bytes'] = r.rate.bytes;
      o.period = r.rate.period ?? 1000;
    }
    push(ctx, '-device', jsonOpt({ ...o, ...pciProps(ctx, r.address, w) }));
  });
}

/**
 * Guest panic notifiers: the ISA pvpanic device (libvirt's default model on x86),
 * with the I/O port when the XML gives one. QEMU then reports GUEST_PANICKED.
 */
export function buildPanics(ctx: BuildCtx): void {
  (ctx.devices.panic ?? []).forEach((p, i) => {
    const w = `/domain/devices/panic[${i + 1}]`;
    const model = p.model ?? 'isa';
    if (model !== 'isa') throw refuse(`${w}/@model`, `panic model '${model}' is not supported yet (use model='isa')`);
    if (p.address !== undefined && p.address.type !== 'isa') throw refuse(`${w}/address`, "an ISA panic device takes an <address type='isa' iobase=.../>");
    needDevice(ctx.caps, 'pvpanic', w);
    const o: Record<string, unknown> = { driver: 'pvpanic' };
    if (p.address?.type === 'isa' && p.address.iobase !== undefined && p.address.iobase > 0) o.ioport = p.address.iobase;
    push(ctx, '-device', jsonOpt(o));
  });
}

// libvirt's field order for each SMBIOS table.
const SMBIOS: ReadonlyArray<readonly [key: 'bios' | 'system' | 'baseBoard' | 'chassis', type: number, fields: readonly string[]]> = [
  ['bios', 0, ['vendor', 'version', 'date', 'release']],
  ['system', 1, ['manufacturer', 'product', 'version', 'serial', 'uuid', 'sku', 'family']],
  ['baseBoard', 2, ['manufacturer', 'product', 'version', 'serial', 'asset', 'location']],
  ['chassis', 3, ['manufacturer', 'version', 'serial', 'asset', 'sku']],
];

export function buildSmbios(ctx: BuildCtx): void {
  const mode = ctx.def.os?.smbios?.mode;
  if (mode === undefined || mode === 'emulate') return;
  if (mode === 'host') throw refuse('/domain/os/smbios/@mode', "mode='host' needs the host's SMBIOS tables; use 'sysinfo'");
  const si = (ctx.def.sysinfo ?? []).find((s) => s.type === 'smbios');
  if (si === undefined) throw refuse('/domain/os/smbios', "mode='sysinfo' needs a <sysinfo type='smbios'>");
  for (const [key, type, fields] of SMBIOS) {
    const raw = si[key];
    const tables = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    for (const t of tables) {
      const entries = t.entry ?? [];
      for (const e of entries) {
        if (e.name === undefined || !fields.includes(e.name)) throw refuse(`/domain/sysinfo/${key}/entry`, `'${e.name ?? ''}' is not a field of SMBIOS type ${type} (${fields.join(', ')})`);
      }
      const pairs: OptPair[] = [['type', type]];
      for (const f of fields) {
        const e = entries.find((x) => x.name === f);
        if (e !== undefined) pairs.push([f, e.value]);
      }
      if (pairs.length > 1) push(ctx, '-smbios', keyval(undefined, pairs));
    }
  }
  const oem = si.oemStrings?.entry ?? [];
  if (oem.length > 0) push(ctx, '-smbios', keyval(undefined, [['type', 11], ...oem.map((e): OptPair => ['value', e.value])]));
}
