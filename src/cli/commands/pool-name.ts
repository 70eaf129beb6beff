import { command } from '../framework.js';
import { onStorage, POOL_ARG } from '../storage.js';

export default command({
  name: 'pool-name',
  summary: 'convert a pool UUID to pool name',
  args: [POOL_ARG],
  options: {},
  async run(ctx, { pool }) {
    const p = await onStorage({ pool }, undefined, () => ctx.client().getPool(pool));
    if (ctx.json) return ctx.printJson({ name: p.name });
    ctx.print(p.name);
  },
});
