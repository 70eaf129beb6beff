import { command } from '../framework.js';
import { lookupVolume, onStorage, POOL_OPT, VOL_ARG } from '../storage.js';

export default command({
  name: 'vol-path',
  summary: 'returns the volume path for a given volume name or key',
  args: [VOL_ARG],
  options: { pool: POOL_OPT },
  async run(ctx, { vol }, o) {
    const v = await onStorage({ pool: o.pool, vol }, undefined, () => lookupVolume(ctx.client(), vol, o.pool));
    if (ctx.json) return ctx.printJson({ path: v.path });
    ctx.print(v.path);
  },
});
