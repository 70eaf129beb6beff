import { command } from '../framework.js';
import { POOL_AS_ARGS, POOL_AS_OPTIONS, poolAsXml } from '../pool-as.js';
import { onStorage } from '../storage.js';

export default command({
  name: 'pool-create-as',
  summary: 'create a pool from a set of args',
  args: POOL_AS_ARGS,
  options: {
    ...POOL_AS_OPTIONS,
    build: { type: 'boolean', help: 'build the pool as normal' },
    overwrite: { type: 'boolean', help: 'build the pool without overwriting the existing pool data' },
    'no-overwrite': { type: 'boolean', help: 'build the pool and overwrite the existing pool data' },
  },
  async run(ctx, args, o) {
    const xml = poolAsXml(args, o);
    if (o['print-xml']) return ctx.print(xml.trimEnd());
    const build = o.build || o.overwrite || o['no-overwrite'];
    const p = await onStorage({}, `Failed to create pool ${args.name}`, () => ctx.client().createPool(xml, { build }));
    if (ctx.json) return ctx.printJson(p);
    ctx.print(`Pool ${p.name} created`);
  },
});
