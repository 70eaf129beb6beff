/**
 * A domain's USB host devices around its run (docs/passthrough.md, "USB host devices"). Before
 * start, inside the nodedev queue: the host's USB devices are read and each <hostdev type='usb'>
 * resolved to one of them (core/nodedev/usb-hostdevs.ts: libvirt's errors, startupPolicy), no
 * other domain may hold one (libvirt: "USB device 001:002 is in use by ... domain X"), and the
 * devices are claimed for the domain until it stops. The definition that starts carries each
 * device's bus and device, so QEMU gets hostdevice=/dev/bus/usb/BBB/DDD and the live XML shows
 * where the device was found. Nothing is read from the host for a domain without one.
 */
import { VirtkitError } from '../../core/errors.js';
import { usbBusDevice } from '../../core/nodedev/usb.js';
import { domainUsbDevices, hasUsbHostdevs, resolveUsbHostdevs } from '../../core/nodedev/usb-hostdevs.js';
import { listUsbDevices } from '../../host/usb/read.js';
import type { DomainDef } from '../domain-xml.js';
import type { EngineContext } from '../engine/context.js';
import { holderIn } from './actions.js';

/** The domain that holds USB device `key` ("001:002"), starting or running, if any. */
function usbHolderOf(ctx: EngineContext, key: string): string | undefined {
  return holderIn(ctx, ctx.nodedevs.usbClaims, key, (def) => domainUsbDevices(def).map((d) => usbBusDevice(d.bus, d.device)));
}

/** Resolves and claims `def`'s USB devices for domain `name`; call inside ctx.nodedevs.serial. */
export async function claimUsbHostdevs(ctx: EngineContext, name: string, def: DomainDef): Promise<DomainDef> {
  if (!hasUsbHostdevs(def)) return def;
  const r = resolveUsbHostdevs(def, await listUsbDevices(ctx.nodedevs.usbRoot));
  for (const d of r.devices) {
    const key = usbBusDevice(d.bus, d.device);
    const holder = usbHolderOf(ctx, key);
    if (holder !== undefined && holder !== name) {
      throw new VirtkitError('OPERATION_INVALID', `${d.where}: USB device ${key} is in use by domain '${holder}'`, { details: { bus: d.bus, device: d.device, domain: holder, path: d.where } });
    }
  }
  for (const m of r.dropped) ctx.log.warn(`domain '${name}': ${m}`);
  for (const d of r.devices) ctx.nodedevs.usbClaims.set(usbBusDevice(d.bus, d.device), name);
  return r.def;
}

/**
 * For domxml-to-native: `def` with each USB device given by vendor/product alone resolved as a
 * start would now (libvirt's errors included), nothing claimed; one with an address is shown as
 * written, unchecked, as libvirt's domxml-to-native does.
 */
export async function previewUsbHostdevs(ctx: EngineContext, def: DomainDef): Promise<DomainDef> {
  return hasUsbHostdevs(def) ? resolveUsbHostdevs(def, await listUsbDevices(ctx.nodedevs.usbRoot), { keepAddressed: true }).def : def;
}

/** Drops domain `name`'s USB claims (its live definition `def`). Nothing on the host to undo. */
export function releaseUsbHostdevs(ctx: EngineContext, name: string, def: DomainDef): void {
  for (const d of domainUsbDevices(def)) {
    const key = usbBusDevice(d.bus, d.device);
    if (ctx.nodedevs.usbClaims.get(key) === name) ctx.nodedevs.usbClaims.delete(key);
  }
}
