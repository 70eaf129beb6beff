import { command } from '../framework.js';
import { onStorage } from '../storage.js';
import { readXmlFile } from './define.js';

export default command({
  name: 'pool-create',
  summary: 'create a pool from an XML file',
  args: [{ name: 'file', help: 'file containing an XML pool description', required: true }],
  options: {
    build: { type: 'boolean', help: 'build the pool as normal' },
    overwrite: { type: 'boolean', help: 'build the pool without overwriting the existing pool data' },
    'no-overwrite': { type: 'boolean', help: 'build the pool and overwrite the existing pool data' },
  },
  async run(ctx, { file }, o) {
    const xml = await readXmlFile(ctx.io.cwd, file);
    const build = o.build || o.overwrite || o['no-overwrite'];
    const p = await onStorage({}, `Failed to create pool from ${file}`, () => ctx.client().createPool(xml, { build }));
    if (ctx.json) return ctx.printJson(p);
    ctx.print(`Pool ${p.name} created from ${file}`);
  },
});
