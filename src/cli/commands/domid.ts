import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { idText } from '../format.js';

export default command({
  name: 'domid',
  summary: 'convert a domain name or UUID to domain id',
  args: [DOMAIN_ARG],
  options: {},
  async run(ctx, { domain }) {
    const d = await onDomain(domain, undefined, () => ctx.client().getDomain(domain));
    if (ctx.json) return ctx.printJson({ id: d.id });
    ctx.print(idText(d));
  },
});
