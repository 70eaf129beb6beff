/**
 * Carries out a `<virtkit:link>`'s plan (veth-link-plan.ts): runs its `ip` commands in order; a
 * failed step removes what the earlier ones made (deleting this end takes the peer end and the
 * namespace's routes through it) and rethrows ip's error (IFACE_EXISTS, HOST_NET_FAILED).
 * For the network engine: at network start, after the bridge is up,
 *   await applyVethLink(planVethLink(link, { bridge, peerBridge: (n) => bridgeOf(n), path }))
 * for each <virtkit:link>; at stop (and when reconciling a network that is gone),
 *   await removeVethLink(link.dev)
 * which is a no-op when the link is already gone (the peer network or the namespace went first).
 */
import { runIp, type IpRunner } from './ip-runner.js';
import { checkIfName } from './link-names.js';
import { Links } from './links.js';
import { vethLinkRemoval, type VethLinkPlan } from './veth-link-plan.js';

export { planVethLink, vethLinkRemoval, defaultPeerDev } from './veth-link-plan.js';
export type { VethLinkContext, VethLinkPlan, VethPeer } from './veth-link-plan.js';

/** Makes the link; on failure nothing of it is left. */
export async function applyVethLink(plan: VethLinkPlan, run: IpRunner = runIp): Promise<void> {
  let made = false;
  try {
    for (const argv of plan.commands) {
      await run(argv);
      made = true;
    }
  } catch (e) {
    if (made) await removeVethLink(plan.dev, run).catch(() => undefined);
    throw e;
  }
}

/** Removes the link whose end on this side is `dev`; false when there was none. */
export async function removeVethLink(dev: string, run: IpRunner = runIp): Promise<boolean> {
  checkIfName(dev);
  const link = await new Links({ run }).get(dev);
  // Only a veth: a name someone reused for another kind of device is not ours.
  if (link?.kind !== 'veth') return false;
  for (const argv of vethLinkRemoval({ dev })) await run(argv);
  return true;
}
