import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { CURRENT_OPT, pickSnapshot, SNAP_ARG } from '../snapshots.js';

export default command({
  name: 'snapshot-delete',
  summary: 'Delete a domain snapshot',
  args: [DOMAIN_ARG, SNAP_ARG],
  options: {
    current: { ...CURRENT_OPT, help: 'delete current snapshot' },
    children: { type: 'boolean', help: 'delete snapshot and all children' },
    'children-only': { type: 'boolean', help: 'delete children but not snapshot' },
    metadata: { type: 'boolean', help: 'delete only libvirt metadata, leaving snapshot contents behind' },
  },
  async run(ctx, { domain, snapshotname }, o) {
    const client = ctx.client();
    const s = await onDomain(domain, undefined, async () => {
      const name = await pickSnapshot(client, domain, o.current ? undefined : snapshotname);
      return client.deleteSnapshot(domain, name, { metadata: o.metadata, children: o.children, childrenOnly: o['children-only'] });
    });
    if (ctx.json) return ctx.printJson(s);
    ctx.print(o['children-only'] ? `Domain snapshot ${s.name} children deleted` : o.metadata ? `Domain snapshot ${s.name} metadata deleted` : `Domain snapshot ${s.name} deleted`);
  },
});
