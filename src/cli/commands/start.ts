import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';

export default command({
  name: 'start',
  summary: 'start a (previously defined) inactive domain',
  args: [DOMAIN_ARG],
  options: { paused: { type: 'boolean', help: 'leave the guest paused after start' } },
  async run(ctx, { domain }, o) {
    const d = await onDomain(domain, `Failed to start domain '${domain}'`, () => ctx.client().action(domain, 'start', { ...(o.paused ? { paused: true } : {}) }));
    if (ctx.json) return ctx.printJson(d);
    ctx.print(`Domain '${d.name}' started`);
  },
});
