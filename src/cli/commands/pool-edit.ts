/**
 * virsh pool-edit: the pool's inactive XML in a temporary file, $VISUAL /
 * $EDITOR on it (as `edit` runs it), then the result defined (pool-define
 * with the same name and UUID replaces the definition; an active pool keeps
 * running as it was started). A definition the daemon refuses changes
 * nothing: on a terminal the user may edit again, otherwise the exit status is 1.
 */
import { asVirtkitError } from '../../core/errors.js';
import { command } from '../framework.js';
import { editUntilAccepted } from '../editor.js';
import { onStorage, POOL_ARG } from '../storage.js';

export default command({
  name: 'pool-edit',
  summary: 'edit XML configuration for a storage pool',
  args: [POOL_ARG],
  options: {},
  async run(ctx, { pool }) {
    const client = ctx.client();
    const info = await onStorage({ pool }, undefined, () => client.getPool(pool));
    const original = await onStorage({ pool }, undefined, () => client.poolXml(pool, { inactive: true }));
    const r = await editUntilAccepted(ctx, `${info.name}.xml`, original, async (edited) => {
      try {
        return { done: await client.definePool(edited) };
      } catch (e) {
        const err = asVirtkitError(e);
        if (err.code === 'DAEMON_UNREACHABLE') throw err;
        return { refused: [`the edited XML of pool '${info.name}' was refused`, err.message], cause: err };
      }
    });
    if (r === undefined) {
      if (ctx.json) return ctx.printJson({ changed: false, pool: info });
      return ctx.print(`Pool ${info.name} XML configuration not changed.`);
    }
    if (ctx.json) return ctx.printJson({ changed: true, pool: r.pool });
    ctx.print(`Pool ${r.pool.name} XML configuration edited.`);
  },
});
