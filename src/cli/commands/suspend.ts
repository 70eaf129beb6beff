import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';

export default command({
  name: 'suspend',
  summary: 'suspend a domain',
  args: [DOMAIN_ARG],
  options: {},
  async run(ctx, { domain }) {
    const d = await onDomain(domain, `Failed to suspend domain '${domain}'`, () => ctx.client().action(domain, 'suspend', {}));
    if (ctx.json) return ctx.printJson(d);
    ctx.print(`Domain '${d.name}' suspended`);
  },
});
