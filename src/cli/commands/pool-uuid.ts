import { command } from '../framework.js';
import { onStorage, POOL_ARG } from '../storage.js';

export default command({
  name: 'pool-uuid',
  summary: 'convert a pool name to pool UUID',
  args: [POOL_ARG],
  options: {},
  async run(ctx, { pool }) {
    const p = await onStorage({ pool }, undefined, () => ctx.client().getPool(pool));
    if (ctx.json) return ctx.printJson({ uuid: p.uuid });
    ctx.print(p.uuid);
  },
});
