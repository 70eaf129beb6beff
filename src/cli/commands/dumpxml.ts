import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';

export default command({
  name: 'dumpxml',
  summary: 'domain information in XML',
  args: [DOMAIN_ARG],
  options: { inactive: { type: 'boolean', help: 'show inactive defined XML' } },
  async run(ctx, { domain }, o) {
    const xml = await onDomain(domain, undefined, () => ctx.client().domainXml(domain, { inactive: o.inactive }));
    if (ctx.json) return ctx.printJson({ xml });
    ctx.io.stdout(xml.endsWith('\n') ? xml : `${xml}\n`);
  },
});
