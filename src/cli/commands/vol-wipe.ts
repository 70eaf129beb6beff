import { command } from '../framework.js';
import { lookupVolume, onStorage, POOL_OPT, VOL_ARG } from '../storage.js';

export default command({
  name: 'vol-wipe',
  summary: 'wipe a vol',
  args: [VOL_ARG],
  options: {
    pool: POOL_OPT,
    algorithm: { type: 'string', help: 'perform selected wiping algorithm (virtkit: zero)', arg: 'string' },
  },
  async run(ctx, { vol }, o) {
    const client = ctx.client();
    const v = await onStorage({ pool: o.pool, vol }, `Failed to wipe vol ${vol}`, async () => {
      const found = await lookupVolume(client, vol, o.pool);
      return client.wipeVolume(found.pool, found.name, o.algorithm === undefined ? {} : { algorithm: o.algorithm });
    });
    if (ctx.json) return ctx.printJson(v);
    ctx.print(`Vol ${vol} wiped`);
  },
});
