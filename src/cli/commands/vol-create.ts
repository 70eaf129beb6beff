import { command } from '../framework.js';
import { onStorage, POOL_ARG, VALIDATE_OPT } from '../storage.js';
import { readXmlFile } from './define.js';

export default command({
  name: 'vol-create',
  summary: 'create a vol from an XML file',
  args: [{ ...POOL_ARG, help: 'pool name' }, { name: 'file', help: 'file containing an XML vol description', required: true }],
  options: {
    'prealloc-metadata': { type: 'boolean', help: 'preallocate metadata (for qcow2 instead of full allocation)' },
    validate: VALIDATE_OPT,
  },
  async run(ctx, { pool, file }, o) {
    const xml = await readXmlFile(ctx.io.cwd, file);
    const v = await onStorage({ pool }, `Failed to create vol from ${file}`,
      () => ctx.client().createVolume(pool, xml, { preallocMetadata: o['prealloc-metadata'] }));
    if (ctx.json) return ctx.printJson(v);
    ctx.print(`Vol ${v.name} created from ${file}`);
  },
});
