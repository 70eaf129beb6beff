import { command } from '../framework.js';
import { FILE_ARG, onDomain } from '../domain.js';
import { readXmlFile } from './define.js';

export default command({
  name: 'create',
  summary: 'create a domain from an XML file',
  args: [FILE_ARG],
  options: { paused: { type: 'boolean', help: 'leave the guest paused after creation' } },
  async run(ctx, { file }, o) {
    const xml = await readXmlFile(ctx.io.cwd, file);
    const d = await onDomain(file, `Failed to create domain from ${file}`, () => ctx.client().createDomain(xml, { paused: o.paused }));
    if (ctx.json) return ctx.printJson(d);
    ctx.print(`Domain '${d.name}' created from ${file}`);
  },
});
