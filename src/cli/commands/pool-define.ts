import { command } from '../framework.js';
import { onStorage } from '../storage.js';
import { readXmlFile } from './define.js';

export default command({
  name: 'pool-define',
  summary: 'define an inactive persistent storage pool or modify an existing persistent one from an XML file',
  args: [{ name: 'file', help: 'file containing an XML pool description', required: true }],
  options: {},
  async run(ctx, { file }) {
    const xml = await readXmlFile(ctx.io.cwd, file);
    const r = await onStorage({}, `Failed to define pool from ${file}`, () => ctx.client().definePool(xml));
    if (ctx.json) return ctx.printJson(r);
    ctx.print(`Pool ${r.pool.name} defined from ${file}`);
  },
});
