import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';

export default command({
  name: 'autostart',
  summary: 'autostart a domain',
  args: [DOMAIN_ARG],
  options: { disable: { type: 'boolean', help: 'disable autostarting' } },
  async run(ctx, { domain }, o) {
    const failure = o.disable ? `Failed to unmark domain '${domain}' as autostarted` : `Failed to mark domain '${domain}' as autostarted`;
    const d = await onDomain(domain, failure, () => ctx.client().setAutostart(domain, !o.disable));
    if (ctx.json) return ctx.printJson(d);
    ctx.print(`Domain '${d.name}' ${o.disable ? 'unmarked' : 'marked'} as autostarted`);
  },
});
