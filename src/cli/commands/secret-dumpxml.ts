import { command } from '../framework.js';
import { onSecret, SECRET_ARG } from '../secrets.js';

export default command({
  name: 'secret-dumpxml',
  summary: 'secret attributes in XML',
  args: [SECRET_ARG],
  options: {},
  async run(ctx, { secret }) {
    const xml = await onSecret(secret, undefined, () => ctx.client().secretXml(secret));
    if (ctx.json) return ctx.printJson({ xml });
    ctx.print(xml.trimEnd());
  },
});
