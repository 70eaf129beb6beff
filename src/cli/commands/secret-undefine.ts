import { command } from '../framework.js';
import { onSecret, SECRET_ARG } from '../secrets.js';

export default command({
  name: 'secret-undefine',
  summary: 'undefine a secret',
  args: [SECRET_ARG],
  options: {},
  async run(ctx, { secret }) {
    const r = await onSecret(secret, `Failed to delete secret ${secret}`, () => ctx.client().undefineSecret(secret));
    if (ctx.json) return ctx.printJson(r);
    ctx.print(`Secret ${r.uuid} deleted`);
  },
});
