/** State shared by the builder's parts while one command line is assembled. */
import { VirtkitError } from '../../errors.js';
import type { DeviceAddress } from '../../xml/domain/schema/address.js';
import type { ArgvCaps } from './caps-view.js';
import type { PreparedDomain, RuntimePaths } from './types.js';

export type Devices = NonNullable<PreparedDomain['devices']>;

export interface BuildCtx {
  readonly def: PreparedDomain;
  readonly devices: Devices;
  readonly caps: ArgvCaps;
  readonly paths: RuntimePaths;
  readonly args: string[];
  /** 'q35' or 'i440fx' family of the machine type. */
  readonly q35: boolean;
  /** bootindex per device (by alias) from <os><boot dev> or <boot order>. */
  readonly bootIndex: Map<string, number>;
}

export function push(ctx: BuildCtx, ...a: string[]): void {
  ctx.args.push(...a);
}

/** The alias prepareDomain gave the device; its absence means the def was not prepared. */
export function aliasOf(dev: { alias?: { name: string } }, what: string): string {
  const a = dev.alias?.name;
  if (a === undefined) {
    throw new VirtkitError('INTERNAL_ERROR', `${what} has no alias: buildQemuArgv needs a domain that went through prepareDomain()`);
  }
  return a;
}

function notPrepared(what: string, want: string): VirtkitError {
  return new VirtkitError('INTERNAL_ERROR', `${what} has no ${want} address: buildQemuArgv needs a domain that went through prepareDomain()`);
}

/** QEMU bus name of PCI bus N: the root is pci.0 (i440fx) or pcie.0 (q35); others are named by their controller's alias. */
export function pciBusName(ctx: BuildCtx, bus: number): string {
  if (bus === 0) return ctx.q35 ? 'pcie.0' : 'pci.0';
  const c = (ctx.devices.controller ?? []).find((x) => x.type === 'pci' && x.index === bus);
  if (!c) throw new VirtkitError('ADDRESS_CONFLICT', `a device sits on PCI bus ${bus}, but there is no <controller type='pci' index='${bus}'>`);
  return aliasOf(c, `<controller type='pci' index='${bus}'>`);
}

export function pciAddrString(slot: number, fn: number): string {
  return fn === 0 ? `0x${slot.toString(16)}` : `0x${slot.toString(16)}.0x${fn.toString(16)}`;
}

/** {"bus","addr"[,"multifunction"]} for a PCI device. */
export function pciProps(ctx: BuildCtx, addr: DeviceAddress | undefined, what: string): Record<string, unknown> {
  if (!addr || addr.type !== 'pci') throw notPrepared(what, 'PCI');
  if (addr.domain !== 0) throw new VirtkitError('QEMU_UNSUPPORTED', `${what}: PCI domain ${addr.domain} is not supported on x86 (only domain 0)`);
  const out: Record<string, unknown> = { bus: pciBusName(ctx, addr.bus) };
  if (addr.multifunction === true) out.multifunction = true;
  out.addr = pciAddrString(addr.slot, addr.function);
  return out;
}

/** Alias of the USB controller with the given index, for "bus":"ALIAS.0". */
export function usbProps(ctx: BuildCtx, addr: DeviceAddress | undefined, what: string): Record<string, unknown> {
  if (!addr || addr.type !== 'usb') throw notPrepared(what, 'USB');
  const c = (ctx.devices.controller ?? []).find((x) => x.type === 'usb' && (x.index ?? 0) === addr.bus);
  if (!c || c.model === 'none') throw new VirtkitError('XML_CONFLICT', `${what} is on USB bus ${addr.bus}, but the domain has no such USB controller`);
  const out: Record<string, unknown> = { bus: `${aliasOf(c, 'USB controller')}.0` };
  if (addr.port !== undefined) out.port = addr.port;
  return out;
}

/** The address, refusing a missing or wrong-typed one. */
export function addrOf<T extends DeviceAddress['type']>(addr: DeviceAddress | undefined, type: T, what: string): Extract<DeviceAddress, { type: T }> {
  if (!addr || addr.type !== type) throw notPrepared(what, type);
  return addr as Extract<DeviceAddress, { type: T }>;
}

export function refuse(path: string, why: string): VirtkitError {
  return new VirtkitError('QEMU_UNSUPPORTED', `${path}: ${why}`, { details: { path } });
}
