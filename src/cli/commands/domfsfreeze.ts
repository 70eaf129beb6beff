/**
 * virsh domfsfreeze: freezes the running guest's file systems (all, or the --mountpoint ones)
 * through its guest agent (guest-fsfreeze-freeze, guest-fsfreeze-freeze-list); domfsthaw thaws them.
 */
import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';

export default command({
  name: 'domfsfreeze',
  summary: 'Freeze domain\'s mounted filesystems.',
  args: [DOMAIN_ARG],
  options: { mountpoint: { type: 'string', arg: 'string', multiple: true, help: 'mountpoint path to be frozen' } },
  async run(ctx, { domain }, o) {
    const points = o.mountpoint ?? [];
    const cmd = points.length === 0 ? { execute: 'guest-fsfreeze-freeze' } : { execute: 'guest-fsfreeze-freeze-list', arguments: { mountpoints: points } };
    const n = await onDomain(domain, 'Unable to freeze filesystems', () => ctx.client().agentCommand(domain, cmd));
    if (ctx.json) return ctx.printJson({ frozen: n });
    ctx.print(`Froze ${String(n)} filesystem(s)`);
  },
});
