import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';

export default command({
  name: 'reset',
  summary: 'reset a domain',
  args: [DOMAIN_ARG],
  options: {},
  async run(ctx, { domain }) {
    const d = await onDomain(domain, `Failed to reset domain '${domain}'`, () => ctx.client().action(domain, 'reset', {}));
    if (ctx.json) return ctx.printJson(d);
    ctx.print(`Domain '${d.name}' was reset`);
  },
});
