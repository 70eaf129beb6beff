import { command } from '../framework.js';
import { onSecret, SECRET_ARG } from '../secrets.js';

export default command({
  name: 'secret-get-value',
  summary: 'Output a secret value',
  args: [SECRET_ARG],
  options: { plain: { type: 'boolean', help: 'get value without converting to base64' } },
  async run(ctx, { secret }, o) {
    const value = await onSecret(secret, undefined, () => ctx.client().getSecretValue(secret));
    if (ctx.json) return ctx.printJson({ value });
    if (!o.plain) return ctx.print(value);
    // The bytes as they are, without the line virsh's base64 output ends with.
    ctx.io.stdout(Buffer.from(value, 'base64').toString('latin1'));
  },
});
