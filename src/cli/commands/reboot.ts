import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { shutdownMode } from './shutdown-mode.js';

export default command({
  name: 'reboot',
  summary: 'reboot a domain',
  args: [DOMAIN_ARG],
  options: { mode: { type: 'string', arg: 'acpi|agent', help: 'shutdown mode: acpi|agent' } },
  async run(ctx, { domain }, o) {
    const mode = shutdownMode(o.mode);
    const d = await onDomain(domain, `Failed to reboot domain '${domain}'`, () => ctx.client().action(domain, 'reboot', mode));
    if (ctx.json) return ctx.printJson(d);
    ctx.print(`Domain '${d.name}' is being rebooted`);
  },
});
