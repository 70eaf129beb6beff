/**
 * snapshot-create --disk-only --quiesce: the guest's file systems are frozen through its agent
 * (guest-fsfreeze-freeze) while the overlays are switched in, and thawed after
 * (guest-fsfreeze-thaw), also when a step fails, as libvirt's qemuSnapshotFSFreeze/FSThaw.
 */
import { VirtkitError } from '../../core/errors.js';
import { AGENT_CHANNEL_NAME, hasAgentChannel } from '../../core/qemu/qga/channel.js';
import { agentOf } from '../agent/actions.js';
import type { DomainAgent } from '../driver.js';
import type { EngineContext } from '../engine/context.js';
import type { DomainRecord } from '../engine/registry.js';

/** The agent to quiesce through, or why not (checked before anything is created). */
export function quiesceAgent(ctx: EngineContext, rec: DomainRecord, diskOnly: boolean): DomainAgent {
  const handle = rec.runtime === undefined ? undefined : ctx.requireHandle(rec);
  if (!diskOnly) throw new VirtkitError('INVALID_ARGUMENT', '--quiesce requires --disk-only (as libvirt: an internal snapshot stops the vCPUs anyway)');
  if (handle === undefined) throw new VirtkitError('OPERATION_INVALID', `--quiesce needs domain '${rec.name}' running, with its guest agent`);
  if (!hasAgentChannel(handle.liveDef)) {
    throw new VirtkitError('AGENT_UNAVAILABLE', `--quiesce needs a guest agent: domain '${rec.name}' has no ${AGENT_CHANNEL_NAME} channel`);
  }
  return agentOf(ctx, rec.name);
}

/**
 * Runs `fn` with the guest's file systems frozen. A thaw that fails after `fn` succeeded is
 * reported (the guest's file systems may still be frozen: domfsthaw), not hidden.
 */
export async function whileFrozen<T>(agent: DomainAgent, domain: string, fn: () => Promise<T>): Promise<T> {
  await agent.execute('guest-fsfreeze-freeze');
  let result: T;
  try {
    result = await fn();
  } catch (e) {
    await agent.execute('guest-fsfreeze-thaw').catch(() => undefined);
    throw e;
  }
  try {
    await agent.execute('guest-fsfreeze-thaw');
  } catch (e) {
    throw new VirtkitError((e as VirtkitError).code ?? 'AGENT_UNRESPONSIVE',
      `the snapshot was taken, but thawing the file systems of domain '${domain}' failed: ${(e as Error).message}; run 'virtkit domfsthaw ${domain}'`, { cause: e });
  }
  return result;
}
