import { command } from '../framework.js';
import { onSecret } from '../secrets.js';
import { readXmlFile } from './define.js';

export default command({
  name: 'secret-define',
  summary: 'define or modify a secret from an XML file',
  args: [{ name: 'file', help: 'file containing secret attributes in XML', required: true }],
  options: {},
  async run(ctx, { file }) {
    const xml = await readXmlFile(ctx.io.cwd, file);
    const r = await onSecret(undefined, `Failed to set attributes from ${file}`, () => ctx.client().defineSecret(xml));
    if (ctx.json) return ctx.printJson(r);
    ctx.print(`Secret ${r.secret.uuid} created`);
  },
});
