import { CliError, command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';

export default command({
  name: 'snapshot-current',
  summary: 'Get or set the current snapshot',
  args: [DOMAIN_ARG],
  options: {
    name: { type: 'boolean', help: 'list the name, rather than the full xml' },
    snapshotname: { type: 'string', help: 'name of existing snapshot to make current', arg: 'string' },
  },
  async run(ctx, { domain }, o) {
    const client = ctx.client();
    if (o.snapshotname !== undefined) {
      const name = o.snapshotname;
      await onDomain(domain, undefined, async () => {
        const xml = await client.snapshotXml(domain, name);
        return client.createSnapshot(domain, { xml, redefine: true, current: true });
      });
      ctx.bare();
      return ctx.print(`Snapshot ${name} set as current`);
    }
    const cur = await onDomain(domain, undefined, () => client.currentSnapshot(domain));
    if (ctx.json) return ctx.printJson(cur);
    if (cur === null) throw new CliError([`domain '${domain}' has no current snapshot`]);
    if (o.name) {
      ctx.bare();
      return ctx.print(cur.name);
    }
    const xml = await onDomain(domain, undefined, () => client.snapshotXml(domain, cur.name));
    ctx.io.stdout(xml.endsWith('\n') ? xml : `${xml}\n`);
  },
});
