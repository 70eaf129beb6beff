import { command } from '../framework.js';
import { lookupVolume, onStorage, POOL_OPT, VOL_ARG } from '../storage.js';

export default command({
  name: 'vol-dumpxml',
  summary: 'vol information in XML',
  args: [VOL_ARG],
  options: { pool: POOL_OPT },
  async run(ctx, { vol }, o) {
    const client = ctx.client();
    const xml = await onStorage({ pool: o.pool, vol }, undefined, async () => {
      const v = await lookupVolume(client, vol, o.pool);
      return client.volumeXml(v.pool, v.name);
    });
    if (ctx.json) return ctx.printJson({ xml });
    ctx.print(xml.trimEnd());
  },
});
