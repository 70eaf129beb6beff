/**
 * The node device part of the engine's one typed action list (engine/actions.ts merges it):
 * nodedev-list, nodedev-dumpxml, nodedev-detach, nodedev-reattach, nodedev-reset. A device a
 * running domain holds is neither reattached nor reset (OPERATION_INVALID, naming the domain).
 */
import { VirtkitError } from '../../core/errors.js';
import { domainPciDevices } from '../../core/nodedev/domain-hostdevs.js';
import { nodedevEntries, type NodedevCap, type NodedevEntry } from '../../core/nodedev/list.js';
import { netNodedevName, pciAddressOf } from '../../core/nodedev/pci-address.js';
import { usbNodedevName, usbNodedevXml } from '../../core/nodedev/usb.js';
import { netNodedevXml, pciNodedevXml } from '../../core/nodedev/xml.js';
import type { BindResult } from '../../host/pci/bind.js';
import { listPciDevices, readPciDevice } from '../../host/pci/read.js';
import { listUsbDevices } from '../../host/usb/read.js';
import type { EngineContext } from '../engine/context.js';
import type { DomainDef } from '../domain-xml.js';

export type NodedevAction =
  | { readonly kind: 'nodedevList'; readonly caps?: readonly NodedevCap[] }
  | { readonly kind: 'nodedevXml'; readonly name: string }
  | { readonly kind: 'nodedevDetach'; readonly name: string }
  | { readonly kind: 'nodedevReattach'; readonly name: string }
  | { readonly kind: 'nodedevReset'; readonly name: string };

export interface NodedevResults {
  nodedevList: NodedevEntry[];
  nodedevXml: string;
  nodedevDetach: BindResult;
  nodedevReattach: BindResult;
  nodedevReset: BindResult;
}

/**
 * The domain that holds host device `key` (starting or running), if any: the one `claims` names,
 * else a running domain whose live definition has it (`keysOf` lists a definition's device keys).
 */
export function holderIn(ctx: EngineContext, claims: ReadonlyMap<string, string>, key: string, keysOf: (def: DomainDef) => string[]): string | undefined {
  const claimed = claims.get(key);
  if (claimed !== undefined) return claimed;
  for (const rec of ctx.registry.all()) {
    const def = rec.runtime?.liveDef;
    if (def !== undefined && keysOf(def).includes(key)) return rec.name;
  }
  return undefined;
}

/** The domain that holds PCI device `address` (starting or running), if any. */
export function holderOf(ctx: EngineContext, address: string): string | undefined {
  return holderIn(ctx, ctx.nodedevs.claims, address, (def) => domainPciDevices(def).map((d) => d.address));
}

function refuseInUse(ctx: EngineContext, address: string, what: string): void {
  const holder = holderOf(ctx, address);
  if (holder !== undefined) {
    throw new VirtkitError('OPERATION_INVALID', `cannot ${what} PCI device ${address}: running domain '${holder}' uses it; stop the domain first`, { details: { address, domain: holder } });
  }
}

async function nodedevXml(ctx: EngineContext, name: string): Promise<string> {
  const root = ctx.nodedevs.pci.root;
  if (name.startsWith('net_')) {
    for (const d of await listPciDevices(root)) {
      const n = d.net.find((x) => netNodedevName(x.name, x.mac) === name);
      if (n !== undefined) return netNodedevXml(d, n);
    }
    throw new VirtkitError('NODEDEV_NOT_FOUND', `no node device '${name}' on this host (see virtkit nodedev-list)`, { details: { name } });
  }
  if (name.startsWith('usb_')) {
    const u = (await listUsbDevices(ctx.nodedevs.usbRoot)).find((d) => usbNodedevName(d.sysname) === name);
    if (u !== undefined) return usbNodedevXml(u);
    throw new VirtkitError('NODEDEV_NOT_FOUND', `no node device '${name}' on this host (see virtkit nodedev-list --cap usb_device)`, { details: { name } });
  }
  return pciNodedevXml(await readPciDevice(root, pciAddressOf(name)));
}

type Of<K extends NodedevAction['kind']> = Extract<NodedevAction, { kind: K }>;
type Handler<K extends NodedevAction['kind']> = (ctx: EngineContext, a: Of<K>) => Promise<NodedevResults[K]>;

export const nodedevHandlers: { readonly [K in NodedevAction['kind']]: Handler<K> } = {
  nodedevList: async (ctx, a) => {
    const usb = a.caps === undefined || a.caps.length === 0 || a.caps.includes('usb_device') ? await listUsbDevices(ctx.nodedevs.usbRoot) : [];
    return nodedevEntries(await listPciDevices(ctx.nodedevs.pci.root), a.caps, usb);
  },
  nodedevXml: (ctx, a) => nodedevXml(ctx, a.name),
  nodedevDetach: (ctx, a) => ctx.nodedevs.serial(async () => {
    const address = pciAddressOf(a.name);
    const [r] = await ctx.nodedevs.pci.detach([address]);
    return r as BindResult;
  }),
  nodedevReattach: (ctx, a) => ctx.nodedevs.serial(() => {
    const address = pciAddressOf(a.name);
    refuseInUse(ctx, address, 'reattach');
    return ctx.nodedevs.pci.reattach(address);
  }),
  nodedevReset: (ctx, a) => ctx.nodedevs.serial(() => {
    const address = pciAddressOf(a.name);
    refuseInUse(ctx, address, 'reset');
    return ctx.nodedevs.pci.reset(address);
  }),
};
