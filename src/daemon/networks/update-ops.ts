/**
 * net-update: the pure part (core/network/update.ts) gives the new definition and what dnsmasq
 * needs. Live (--live, or --current on an active network): the running definition changes; a
 * 'reload' rewrites the hosts files atomically and sends dnsmasq SIGHUP (it rereads them and
 * keeps its leases); a 'restart' writes the new configuration and starts dnsmasq again (the
 * lease file stays, so do the leases). Config (--config, or --current on an inactive network):
 * the stored definition changes. Both may be asked at once.
 */
import { VirtkitError } from '../../core/errors.js';
import { applyNetworkUpdate, type NetworkUpdate } from '../../core/network/update.js';
import { basename } from 'node:path';
import { writeFileAtomic } from '../store/atomic.js';
import type { NetworkContext } from './context.js';
import { reloadDnsmasq, stopDnsmasq } from './dnsmasq-proc.js';
import { confArgOf, writeHostFiles } from './host-steps.js';
import { planFor, recordRunning, respawnDnsmasq, type JobOpts } from './lifecycle.js';
import { networkXml, parseStoredNetwork } from './network-xml.js';
import { onNetwork } from './network-ops.js';
import type { NetworkInfo } from './records.js';

export interface UpdateImpact {
  readonly live?: boolean;
  readonly config?: boolean;
}

export function updateNetwork(ctx: NetworkContext, ref: string, u: NetworkUpdate, impact: UpdateImpact, o: JobOpts): Promise<NetworkInfo> {
  return onNetwork(ctx, ref, 'update', o, async (n) => {
    const current = impact.live !== true && impact.config !== true;
    const live = impact.live === true || (current && n.active);
    const config = impact.config === true || (current && !n.active);
    if (live && !n.active) throw new VirtkitError('OPERATION_INVALID', `network '${n.name}' is not active: --live needs a running network (use --config)`, { details: { network: n.name } });
    if (config && !n.persistent) throw new VirtkitError('OPERATION_INVALID', `network '${n.name}' is transient: it has no definition for --config`, { details: { network: n.name } });
    // Both computed before anything changes: a refused update changes neither.
    const liveResult = live ? applyNetworkUpdate(n.def, u) : undefined;
    const configResult = config ? applyNetworkUpdate(parseStoredNetwork(n.xml), u) : undefined;
    if (configResult) {
      const xml = networkXml(configResult.def);
      await ctx.deps.config.save(n.name, xml);
      n.xml = xml;
      if (!n.active) n.def = configResult.def;
    }
    if (liveResult) {
      n.def = liveResult.def;
      const plan = await planFor(ctx, n.def);
      if (liveResult.dnsmasq === 'reload') {
        await writeHostFiles(ctx, plan);
        if (n.dnsmasq) reloadDnsmasq(n.dnsmasq);
      } else if (liveResult.dnsmasq === 'restart') {
        await writeFileAtomic(ctx.deps.stateDir, basename(plan.files.confFile), plan.dnsmasqConf, 0o644);
        await writeHostFiles(ctx, plan);
        n.stopping = true;
        try {
          if (n.dnsmasq) await stopDnsmasq(n.dnsmasq, confArgOf(plan.files));
        } finally {
          n.stopping = false;
        }
        await respawnDnsmasq(ctx, n);
      }
      await recordRunning(ctx, n);
    }
    return ctx.view(n);
  });
}
