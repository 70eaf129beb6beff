import { command } from '../framework.js';
import { lookupVolume, onStorage, POOL_OPT, VOL_ARG } from '../storage.js';

export default command({
  name: 'vol-delete',
  summary: 'delete a vol',
  args: [VOL_ARG],
  options: { pool: POOL_OPT },
  async run(ctx, { vol }, o) {
    const client = ctx.client();
    const v = await onStorage({ pool: o.pool, vol }, `Failed to delete vol ${vol}`, async () => {
      const found = await lookupVolume(client, vol, o.pool);
      return client.deleteVolume(found.pool, found.name);
    });
    if (ctx.json) return ctx.printJson(v);
    ctx.print(`Vol ${vol} deleted`);
  },
});
