/** virsh domfsthaw: thaws the guest's file systems frozen by domfsfreeze (guest-fsfreeze-thaw). */
import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';

export default command({
  name: 'domfsthaw',
  summary: 'Thaw domain\'s mounted filesystems.',
  args: [DOMAIN_ARG],
  options: {},
  async run(ctx, { domain }) {
    const n = await onDomain(domain, 'Unable to thaw filesystems', () => ctx.client().agentCommand(domain, { execute: 'guest-fsfreeze-thaw' }));
    if (ctx.json) return ctx.printJson({ thawed: n });
    ctx.print(`Thawed ${String(n)} filesystem(s)`);
  },
});
