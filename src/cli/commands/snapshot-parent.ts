import { CliError, command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { CURRENT_OPT, pickSnapshot, SNAP_ARG } from '../snapshots.js';

export default command({
  name: 'snapshot-parent',
  summary: 'Get the name of the parent of a snapshot',
  args: [DOMAIN_ARG, SNAP_ARG],
  options: { current: { ...CURRENT_OPT, help: 'find parent of current snapshot' } },
  async run(ctx, { domain, snapshotname }, o) {
    const client = ctx.client();
    const s = await onDomain(domain, undefined, async () => client.getSnapshot(domain, await pickSnapshot(client, domain, o.current ? undefined : snapshotname)));
    if (ctx.json) return ctx.printJson({ parent: s.parent });
    if (s.parent === null) throw new CliError([`snapshot '${s.name}' has no parent`]);
    ctx.bare();
    ctx.print(s.parent);
  },
});
