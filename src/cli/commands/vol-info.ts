import { command } from '../framework.js';
import { fields } from '../format.js';
import { lookupVolume, onStorage, POOL_OPT, prettyCapacity, VOL_ARG } from '../storage.js';

export default command({
  name: 'vol-info',
  summary: 'storage vol information',
  args: [VOL_ARG],
  options: { pool: POOL_OPT, bytes: { type: 'boolean', help: 'sizes are represented in bytes rather than pretty units' } },
  async run(ctx, { vol }, o) {
    const v = await onStorage({ pool: o.pool, vol }, undefined, () => lookupVolume(ctx.client(), vol, o.pool));
    if (ctx.json) return ctx.printJson(v);
    const size = (n: number) => (o.bytes ? `${n} bytes` : prettyCapacity(n));
    ctx.print(fields(15, [['Name:', v.name], ['Type:', v.type], ['Capacity:', size(v.capacity)], ['Allocation:', size(v.allocation)]]));
  },
});
