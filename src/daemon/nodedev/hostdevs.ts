/**
 * A domain's host PCI devices around its run. Before start: no other running domain may hold
 * them; an unmanaged one must be on vfio-pci already (nodedev-detach); the managed ones are
 * detached (their IOMMU groups checked with every device of the domain counted as assigned);
 * then each SR-IOV VF of an <interface type='hostdev'> gets its MAC and VLAN through its PF,
 * in interface order. A failure undoes what was done. An interface on a <forward mode='hostdev'>
 * network first gets a VF of the network's pool (network-vfs.ts). The devices are claimed for
 * the domain from then until their release. After stop: the VLAN tags come off and
 * every managed device goes back to its host driver (as libvirt: also one that was on vfio-pci
 * before the start). USB host devices are resolved and claimed first (usb-hostdevs.ts). Nothing
 * is read from the host for a domain without such devices.
 */
import { VirtkitError } from '../../core/errors.js';
import { domainPciDevices, type DomainPciDevice } from '../../core/nodedev/domain-hostdevs.js';
import { hasUsbHostdevs } from '../../core/nodedev/usb-hostdevs.js';
import { nodedevName } from '../../core/nodedev/pci-address.js';
import { VFIO_DRIVER, type PciDeviceInfo } from '../../core/nodedev/types.js';
import { vfSetupCommands, vfTeardownCommands } from '../../core/nodedev/vf-config.js';
import { pciDeviceMap } from '../../host/pci/read.js';
import type { DomainDef } from '../domain-xml.js';
import type { EngineContext } from '../engine/context.js';
import { holderOf } from './actions.js';
import { assignNetworkVfs } from './network-vfs.js';
import { claimUsbHostdevs, releaseUsbHostdevs } from './usb-hostdevs.js';

/**
 * Prepares `def`'s host devices for domain `name` to start; returns `def` with each USB device's
 * host address filled in (an optional missing one left out) and each interface on a hostdev
 * network turned into the VF interface it got (network-vfs.ts).
 */
export function prepareHostdevs(ctx: EngineContext, name: string, def: DomainDef): Promise<DomainDef> {
  const ifaces = def.devices?.interface ?? [];
  const pci = domainPciDevices(def).length > 0 || ifaces.some((n) => n.type === 'network');
  if (!pci && !hasUsbHostdevs(def)) return Promise.resolve(def);
  return ctx.nodedevs.serial(async () => {
    // USB devices first (usb-hostdevs.ts): resolving them writes nothing, so a PCI failure only drops their claims.
    const withUsb = await claimUsbHostdevs(ctx, name, def);
    try {
      return pci ? await preparePci(ctx, name, withUsb) : withUsb;
    } catch (e) {
      releaseUsbHostdevs(ctx, name, withUsb);
      throw e;
    }
  });
}

async function preparePci(ctx: EngineContext, name: string, def: DomainDef): Promise<DomainDef> {
  // The host's PCI devices, read once for the whole start, and only when needed: nothing here writes before detach.
  let scan: Promise<Map<string, PciDeviceInfo>> | undefined;
  const scanned = (): Promise<Map<string, PciDeviceInfo>> => (scan ??= pciDeviceMap(ctx.nodedevs.pci.root));
  const ready = await assignNetworkVfs(ctx, name, def, async () => [...(await scanned()).values()]);
  const items = domainPciDevices(ready);
  if (items.length === 0) return ready;
  for (const it of items) {
    const holder = holderOf(ctx, it.address);
    if (holder !== undefined && holder !== name) {
      throw new VirtkitError('OPERATION_INVALID', `${it.where}: PCI device ${it.address} is in use by domain '${holder}'`, { details: { address: it.address, domain: holder } });
    }
  }
  const devices = await scanned();
  for (const it of items) {
    const d = devices.get(it.address);
    if (d === undefined) throw new VirtkitError('NODEDEV_NOT_FOUND', `${it.where}: no PCI device ${it.address} on this host`, { details: { address: it.address, path: it.where } });
    if (!it.managed && d.driver !== VFIO_DRIVER) {
      throw new VirtkitError('OPERATION_INVALID', `${it.where}: PCI device ${it.address} is not managed and is ${d.driver === null ? 'unbound' : `bound to '${d.driver}'`}: detach it first (virtkit nodedev-detach ${nodedevName(it.address)}) or set managed='yes'`, { details: { address: it.address, path: it.where } });
    }
  }
  const commands = vfSetupCommands(items, devices); // refuses a non-VF before anything is written
  const managed = items.filter((it) => it.managed).map((it) => it.address);
  const detached = await ctx.nodedevs.pci.detach(managed, items.map((it) => it.address), devices);
  try {
    for (const c of commands) await ctx.nodedevs.ip(c);
  } catch (e) {
    for (const r of detached.reverse()) if (r.writes.length > 0) await ctx.nodedevs.pci.reattach(r.address).catch(() => undefined);
    throw e;
  }
  for (const it of items) ctx.nodedevs.claims.set(it.address, name);
  return ready;
}

/** Gives `def`'s devices back after domain `name` stopped; failures are logged, not thrown. */
export function releaseHostdevs(ctx: EngineContext, name: string, def: DomainDef): Promise<void> {
  const items = domainPciDevices(def);
  if (items.length === 0 && !hasUsbHostdevs(def)) return Promise.resolve();
  return ctx.nodedevs.serial(async () => {
    releaseUsbHostdevs(ctx, name, def);
    if (items.length === 0) return;
    const log = (what: string, e: unknown): void => ctx.log.warn(`domain '${name}': ${what}: ${e instanceof Error ? e.message : String(e)}`);
    try {
      for (const c of vfTeardownCommands(items, await pciDeviceMap(ctx.nodedevs.pci.root))) await ctx.nodedevs.ip(c).catch((e: unknown) => log(`ip ${c.join(' ')}`, e));
    } catch (e) {
      log('clearing the VF VLAN tags', e);
    }
    for (const it of items) if (ctx.nodedevs.claims.get(it.address) === name) ctx.nodedevs.claims.delete(it.address);
    for (const it of items.filter((x: DomainPciDevice) => x.managed)) {
      await ctx.nodedevs.pci.reattach(it.address).catch((e: unknown) => log(`reattaching PCI device ${it.address}`, e));
    }
  });
}
