import { command } from '../framework.js';
import { onDomain } from '../domain.js';

export default command({
  name: 'domname',
  summary: 'convert a domain id or UUID to domain name',
  args: [{ name: 'domain', help: 'domain id or uuid', required: true }],
  options: {},
  async run(ctx, { domain }) {
    const d = await onDomain(domain, undefined, () => ctx.client().getDomain(domain));
    if (ctx.json) return ctx.printJson({ name: d.name });
    ctx.print(d.name);
  },
});
