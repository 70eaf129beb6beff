/**
 * domifaddr --source lease: the addresses a running domain's interfaces of type network got
 * from their network's dnsmasq, found by each interface's MAC in the network's lease file
 * (libvirt's virDomainInterfaceAddresses with VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE).
 */
import { VirtkitError, isVirtkitError } from '../../core/errors.js';
import type { EngineContext } from '../engine/context.js';
import { networkLeases } from './queries.js';
import { agentDomainIfAddr, arpDomainIfAddr } from '../agent/actions.js';

export interface DomainIfAddr {
  /** The host side of the interface (its tap), or '-' when the live XML names none. */
  readonly name: string;
  readonly mac: string;
  readonly addrs: { readonly type: 'ipv4' | 'ipv6'; readonly addr: string; readonly prefix: number }[];
}

export async function domainIfAddr(ctx: EngineContext, ref: string, opts: { iface?: string; source?: string }): Promise<DomainIfAddr[]> {
  const source = opts.source ?? 'lease';
  // The guest's own view and the host's ARP table: src/daemon/agent/actions.ts.
  if (source === 'agent') return agentDomainIfAddr(ctx, ref, opts.iface);
  if (source === 'arp') return arpDomainIfAddr(ctx, ref, opts.iface);
  if (source !== 'lease') {
    throw new VirtkitError('INVALID_ARGUMENT', `domifaddr --source ${source}: want lease, agent or arp`, { details: { source } });
  }
  const rec = ctx.registry.resolve(ref);
  const rt = rec.runtime;
  if (!rt) throw new VirtkitError('OPERATION_INVALID', `domain '${rec.name}' is not running`, { details: { domain: rec.name } });
  const out: DomainIfAddr[] = [];
  for (const n of rt.liveDef.devices?.interface ?? []) {
    const mac = n.mac?.address;
    const network = n.source?.network;
    const name = n.target?.dev ?? '-';
    if (n.type !== 'network' || mac === undefined || network === undefined) continue;
    if (opts.iface !== undefined && opts.iface !== name && opts.iface.toLowerCase() !== mac.toLowerCase()) continue;
    const leases = await networkLeases(ctx.networks, network, mac).catch((e: unknown) => {
      // A network destroyed under a running guest has no leases to show.
      if (isVirtkitError(e) && (e.code === 'OPERATION_INVALID' || e.code === 'NETWORK_NOT_FOUND')) return [];
      throw e;
    });
    out.push({ name, mac, addrs: leases.map((l) => ({ type: l.family, addr: l.ip, prefix: l.prefix })) });
  }
  return out;
}
