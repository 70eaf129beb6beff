import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';

export default command({
  name: 'undefine',
  summary: 'undefine a domain',
  args: [DOMAIN_ARG],
  options: { 'snapshots-metadata': { type: 'boolean', help: 'remove all domain snapshot metadata (vm must be inactive)' } },
  async run(ctx, { domain }, o) {
    const d = await onDomain(domain, `Failed to undefine domain '${domain}'`, () => ctx.client().undefineDomain(domain, { snapshotsMetadata: o['snapshots-metadata'] }));
    if (ctx.json) return ctx.printJson(d);
    ctx.print(`Domain '${d.name}' has been undefined`);
  },
});
