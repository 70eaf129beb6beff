/**
 * The guest agent part of the engine's one typed action list (engine/actions.ts merges it):
 * qemu-agent-command passes one command through (domfsfreeze, domfsthaw and guestinfo are that
 * too, from the CLI), and domifaddr's agent and arp sources (networks/domifaddr.ts asks here).
 * Agent commands take no job lock, as libvirt's agent jobs: the agent client runs one command at
 * a time by itself, and a quiesced snapshot (which holds the job) must reach the agent.
 */
import { VirtkitError } from '../../core/errors.js';
import { agentIfAddrs, arpIfAddrs, matchesIface, type IfAddr } from '../../core/qemu/qga/interfaces.js';
import { readArpTable } from '../../host/net/arp-table.js';
import type { DomainAgent } from '../driver.js';
import type { EngineContext } from '../engine/context.js';

export type AgentAction = {
  readonly kind: 'agentCommand';
  readonly name: string;
  readonly command: { readonly execute: string; readonly arguments?: Readonly<Record<string, unknown>> };
  readonly timeoutSeconds?: number;
};

export interface AgentResults {
  agentCommand: unknown;
}

/**
 * The running domain's agent client: OPERATION_INVALID when the domain is not running (or virtkitd
 * is not connected to it), UNSUPPORTED_OPERATION when its hypervisor driver has no agent client.
 * A domain without an agent channel gets a client all the same: its commands fail with AGENT_UNAVAILABLE.
 */
export function agentOf(ctx: EngineContext, ref: string): DomainAgent {
  const rec = ctx.registry.resolve(ref);
  const handle = ctx.requireHandle(rec);
  if (handle.agent === undefined) throw new VirtkitError('UNSUPPORTED_OPERATION', `the hypervisor driver of domain '${rec.name}' has no guest agent client`);
  return handle.agent;
}

export const agentHandlers: { readonly agentCommand: (ctx: EngineContext, a: AgentAction) => Promise<unknown> } = {
  agentCommand: async (ctx, a) => {
    const r = await agentOf(ctx, a.name).execute(a.command.execute, a.command.arguments, {
      ...(a.timeoutSeconds === undefined ? {} : { timeoutMs: a.timeoutSeconds * 1000 }),
    });
    return r ?? null;
  },
};

/** domifaddr --source agent: the guest's own view (guest-network-get-interfaces). */
export async function agentDomainIfAddr(ctx: EngineContext, ref: string, iface?: string): Promise<IfAddr[]> {
  return agentIfAddrs(await agentOf(ctx, ref).execute('guest-network-get-interfaces'), iface);
}

/** domifaddr --source arp: the host's neighbour table for the domain's interfaces' MACs (host names: taps). */
export async function arpDomainIfAddr(ctx: EngineContext, ref: string, iface?: string): Promise<IfAddr[]> {
  const rec = ctx.registry.resolve(ref);
  const live = ctx.requireHandle(rec).liveDef;
  const ifaces = (live.devices?.interface ?? []).flatMap((n) => {
    const mac = n.mac?.address;
    const name = n.target?.dev ?? '-';
    if (mac === undefined) return [];
    if (!matchesIface(iface, name, mac)) return [];
    return [{ name, mac }];
  });
  return arpIfAddrs(ifaces, await readArpTable(ctx.host.root));
}
