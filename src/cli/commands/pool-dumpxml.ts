import { command } from '../framework.js';
import { onStorage, POOL_ARG } from '../storage.js';

export default command({
  name: 'pool-dumpxml',
  summary: 'pool information in XML',
  args: [POOL_ARG],
  options: { inactive: { type: 'boolean', help: 'show inactive defined XML' } },
  async run(ctx, { pool }, o) {
    const xml = await onStorage({ pool }, undefined, () => ctx.client().poolXml(pool, { inactive: o.inactive }));
    if (ctx.json) return ctx.printJson({ xml });
    ctx.print(xml.trimEnd());
  },
});
