import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { reasonWord, stateWord } from '../format.js';

export default command({
  name: 'domstate',
  summary: 'domain state',
  args: [DOMAIN_ARG],
  options: { reason: { type: 'boolean', help: 'also print reason for the state' } },
  async run(ctx, { domain }, o) {
    const d = await onDomain(domain, undefined, () => ctx.client().getDomain(domain));
    if (ctx.json) return ctx.printJson({ state: d.state, reason: d.reason });
    ctx.print(o.reason ? `${stateWord(d.state)} (${reasonWord(d.reason)})` : stateWord(d.state));
  },
});
