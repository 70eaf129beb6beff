import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';

export default command({
  name: 'undefine',
  summary: 'undefine a domain',
  args: [DOMAIN_ARG],
  options: {},
  async run(ctx, { domain }) {
    const d = await onDomain(domain, `Failed to undefine domain '${domain}'`, () => ctx.client().undefineDomain(domain));
    if (ctx.json) return ctx.printJson(d);
    ctx.print(`Domain '${d.name}' has been undefined`);
  },
});
