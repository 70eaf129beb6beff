import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { CURRENT_OPT, pickSnapshot, SNAP_ARG } from '../snapshots.js';

export default command({
  name: 'snapshot-revert',
  summary: 'Revert a domain to a snapshot',
  args: [DOMAIN_ARG, SNAP_ARG],
  options: {
    current: { ...CURRENT_OPT, help: 'revert to current snapshot' },
    running: { type: 'boolean', help: 'after reverting, change state to running' },
    paused: { type: 'boolean', help: 'after reverting, change state to paused' },
  },
  async run(ctx, { domain, snapshotname }, o) {
    const client = ctx.client();
    const s = await onDomain(domain, undefined, async () => {
      const name = await pickSnapshot(client, domain, o.current ? undefined : snapshotname);
      return client.revertSnapshot(domain, name, { ...(o.running ? { running: true } : {}), ...(o.paused ? { paused: true } : {}) });
    });
    if (ctx.json) return ctx.printJson(s);
    ctx.print(`Domain snapshot ${s.name} reverted`);
  },
});
