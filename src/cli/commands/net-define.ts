import { command } from '../framework.js';
import { onNetwork } from '../networks.js';
import { readXmlFile } from './define.js';

export default command({
  name: 'net-define',
  summary: 'define an inactive persistent virtual network or modify an existing persistent one from an XML file',
  args: [{ name: 'file', help: 'file containing an XML network description', required: true }],
  options: { validate: { type: 'boolean', help: 'validate the XML against the schema (always done)' } },
  async run(ctx, { file }) {
    const xml = await readXmlFile(ctx.io.cwd, file);
    const r = await onNetwork(undefined, `Failed to define network from ${file}`, () => ctx.client().defineNetwork(xml));
    if (ctx.json) return ctx.printJson(r);
    ctx.print(`Network ${r.network.name} defined from ${file}`);
  },
});
