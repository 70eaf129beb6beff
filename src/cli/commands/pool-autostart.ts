import { command } from '../framework.js';
import { onStorage, POOL_ARG } from '../storage.js';

export default command({
  name: 'pool-autostart',
  summary: 'autostart a pool',
  args: [POOL_ARG],
  options: { disable: { type: 'boolean', help: 'disable autostarting' } },
  async run(ctx, { pool }, o) {
    const p = await onStorage({ pool }, `failed to ${o.disable ? 'unmark' : 'mark'} pool ${pool} as autostarted`,
      () => ctx.client().setPoolAutostart(pool, !o.disable));
    if (ctx.json) return ctx.printJson(p);
    ctx.print(`Pool ${pool} ${o.disable ? 'unmarked' : 'marked'} as autostarted`);
  },
});
