import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';

export default command({
  name: 'destroy',
  summary: 'destroy (stop) a domain',
  args: [DOMAIN_ARG],
  options: { graceful: { type: 'boolean', help: 'terminate gracefully' } },
  async run(ctx, { domain }, o) {
    const d = await onDomain(domain, `Failed to destroy domain '${domain}'`, () => ctx.client().action(domain, 'destroy', { ...(o.graceful ? { graceful: true } : {}) }));
    if (ctx.json) return ctx.printJson(d);
    ctx.print(`Domain '${d.name}' destroyed`);
  },
});
