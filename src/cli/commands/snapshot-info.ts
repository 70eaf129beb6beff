import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { fields } from '../format.js';
import { CURRENT_OPT, pickSnapshot, SNAP_ARG } from '../snapshots.js';

export default command({
  name: 'snapshot-info',
  summary: 'snapshot information',
  args: [DOMAIN_ARG, SNAP_ARG],
  options: { current: { ...CURRENT_OPT, help: 'info on current snapshot' } },
  async run(ctx, { domain, snapshotname }, o) {
    const client = ctx.client();
    const s = await onDomain(domain, undefined, async () => client.getSnapshot(domain, await pickSnapshot(client, domain, o.current ? undefined : snapshotname)));
    if (ctx.json) return ctx.printJson(s);
    ctx.print(fields(15, [
      ['Name:', s.name], ['Domain:', s.domain], ['Current:', s.current ? 'yes' : 'no'], ['State:', s.state], ['Location:', s.location],
      ['Parent:', s.parent ?? '-'], ['Children:', String(s.children)], ['Descendants:', String(s.descendants)], ['Metadata:', 'yes'],
    ]));
  },
});
