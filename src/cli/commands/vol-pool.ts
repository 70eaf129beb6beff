import { command } from '../framework.js';
import { lookupVolume, onStorage, VOL_ARG } from '../storage.js';

export default command({
  name: 'vol-pool',
  summary: 'returns the storage pool for a given volume key or path',
  args: [VOL_ARG],
  options: { uuid: { type: 'boolean', help: 'return the pool uuid rather than pool name' } },
  async run(ctx, { vol }, o) {
    const client = ctx.client();
    const v = await onStorage({ vol }, undefined, () => lookupVolume(client, vol, undefined));
    const p = o.uuid ? await onStorage({ pool: v.pool }, undefined, () => client.getPool(v.pool)) : undefined;
    if (ctx.json) return ctx.printJson({ pool: v.pool, ...(p ? { uuid: p.uuid } : {}) });
    ctx.print(p ? p.uuid : v.pool);
  },
});
