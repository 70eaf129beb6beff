import { command } from '../framework.js';
import { onStorage, POOL_ARG } from '../storage.js';

export default command({
  name: 'pool-start',
  summary: 'start a (previously defined) inactive pool',
  args: [POOL_ARG],
  options: {
    build: { type: 'boolean', help: 'build the pool as normal' },
    overwrite: { type: 'boolean', help: 'build the pool without overwriting the existing pool data' },
    'no-overwrite': { type: 'boolean', help: 'build the pool and overwrite the existing pool data' },
  },
  async run(ctx, { pool }, o) {
    const build = o.build || o.overwrite || o['no-overwrite'];
    const p = await onStorage({ pool }, `Failed to start pool ${pool}`, () => ctx.client().startPool(pool, { build }));
    if (ctx.json) return ctx.printJson(p);
    ctx.print(`Pool ${pool} started`);
  },
});
