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
    // The value as text (UTF-8), without the line the base64 output ends with. Output is text
    // here: a binary value (a cephx key) is read in base64, the default.
    ctx.io.stdout(Buffer.from(value, 'base64').toString('utf8'));
  },
});
