import { command } from '../framework.js';
import { onDomain } from '../domain.js';

export default command({
  name: 'domuuid',
  summary: 'convert a domain name or id to domain UUID',
  args: [{ name: 'domain', help: 'domain id or name', required: true }],
  options: {},
  async run(ctx, { domain }) {
    const d = await onDomain(domain, undefined, () => ctx.client().getDomain(domain));
    if (ctx.json) return ctx.printJson({ uuid: d.uuid });
    ctx.print(d.uuid);
  },
});
