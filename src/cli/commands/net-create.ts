import { command } from '../framework.js';
import { onNetwork } from '../networks.js';
import { readXmlFile } from './define.js';

export default command({
  name: 'net-create',
  summary: 'create a network from an XML file',
  args: [{ name: 'file', help: 'file containing an XML network description', required: true }],
  options: { validate: { type: 'boolean', help: 'validate the XML against the schema (always done)' } },
  async run(ctx, { file }) {
    const xml = await readXmlFile(ctx.io.cwd, file);
    const n = await onNetwork(undefined, `Failed to create network from ${file}`, () => ctx.client().createNetwork(xml));
    if (ctx.json) return ctx.printJson(n);
    ctx.print(`Network ${n.name} created from ${file}`);
  },
});
