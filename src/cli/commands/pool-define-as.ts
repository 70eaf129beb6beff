import { command } from '../framework.js';
import { POOL_AS_ARGS, POOL_AS_OPTIONS, poolAsXml } from '../pool-as.js';
import { onStorage } from '../storage.js';

export default command({
  name: 'pool-define-as',
  summary: 'define a pool from a set of args',
  args: POOL_AS_ARGS,
  options: POOL_AS_OPTIONS,
  async run(ctx, args, o) {
    const xml = poolAsXml(args, o);
    if (o['print-xml']) return ctx.print(xml.trimEnd());
    const r = await onStorage({}, `Failed to define pool ${args.name}`, () => ctx.client().definePool(xml));
    if (ctx.json) return ctx.printJson(r);
    ctx.print(`Pool ${r.pool.name} defined`);
  },
});
