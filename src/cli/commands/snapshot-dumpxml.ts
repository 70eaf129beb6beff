import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';

export default command({
  name: 'snapshot-dumpxml',
  summary: 'Dump XML for a domain snapshot',
  args: [DOMAIN_ARG, { name: 'snapshotname', help: 'snapshot name', required: true }],
  options: {},
  async run(ctx, { domain, snapshotname }) {
    const xml = await onDomain(domain, undefined, () => ctx.client().snapshotXml(domain, snapshotname));
    if (ctx.json) return ctx.printJson({ xml });
    ctx.io.stdout(xml.endsWith('\n') ? xml : `${xml}\n`);
  },
});
