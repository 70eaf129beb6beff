/**
 * Domain interfaces on a <forward mode='hostdev'> network: each gets the first free VF of the
 * network's pool (core/nodedev/vf-pool.ts; free = held by no starting or running domain) and
 * becomes the <interface type='hostdev'> libvirt would make of it, so that the rest of the
 * start (detach, MAC/VLAN on the PF, vfio-pci on the command line) treats it as one. The
 * live XML shows it so (libvirt keeps type='network' there and puts the VF in <actual>).
 * Runs inside the nodedev queue (hostdevs.ts), so two starts cannot take one VF.
 */
import { VirtkitError } from '../../core/errors.js';
import { domainPciDevices } from '../../core/nodedev/domain-hostdevs.js';
import type { PciDeviceInfo } from '../../core/nodedev/types.js';
import { allocateVf, asHostdevInterface, vfPool } from '../../core/nodedev/vf-pool.js';
import { listPciDevices } from '../../host/pci/read.js';
import type { DomainDef } from '../domain-xml.js';
import type { EngineContext } from '../engine/context.js';

/** Addresses held by any domain but `name`. */
function heldByOthers(ctx: EngineContext, name: string): Set<string> {
  const out = new Set<string>();
  for (const [a, who] of ctx.nodedevs.claims) if (who !== name) out.add(a);
  for (const rec of ctx.registry.all()) {
    const def = rec.runtime?.liveDef;
    if (def !== undefined && rec.name !== name) for (const d of domainPciDevices(def)) out.add(d.address);
  }
  return out;
}

/** `scan` reads the host's PCI devices (once, and only for an interface on a hostdev network); default: from sysfs. */
export async function assignNetworkVfs(
  ctx: EngineContext, name: string, def: DomainDef,
  scan: () => Promise<readonly PciDeviceInfo[]> = () => listPciDevices(ctx.nodedevs.pci.root),
): Promise<DomainDef> {
  const ifaces = def.devices?.interface ?? [];
  if (!ifaces.some((n) => n.type === 'network')) return def;
  let devices: readonly PciDeviceInfo[] | undefined;
  let inUse: Set<string> | undefined;
  let changed = false;
  const out: typeof ifaces = [];
  for (const n of ifaces) {
    const netName = n.source?.network;
    if (n.type !== 'network' || netName === undefined) { out.push(n); continue; }
    // Only a hostdev network matters here: any other (or none) is the driver's to resolve and refuse.
    const net = ctx.networks.networks.find(netName);
    if (net?.def.forward?.mode !== 'hostdev') { out.push(n); continue; }
    if (!net.active) throw new VirtkitError('NETWORK_INACTIVE', `network '${net.name}' is not active; start it first (virtkit net-start ${net.name})`, { details: { network: net.name } });
    devices ??= await scan();
    inUse ??= heldByOthers(ctx, name);
    const vf = allocateVf(net.name, vfPool(net.name, net.def.forward, devices), inUse);
    inUse.add(vf);
    out.push(asHostdevInterface(n, vf, net.def.forward.managed === true, net.def.vlan));
    changed = true;
  }
  return changed ? { ...def, devices: { ...def.devices, interface: out } } : def;
}
