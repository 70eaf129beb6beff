import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { parseKiB } from './setmem.js';

export default command({
  name: 'blockresize',
  summary: 'Resize block device of domain.',
  args: [
    DOMAIN_ARG,
    { name: 'path', help: 'Fully-qualified path of block device', required: true },
    { name: 'size', help: 'New size of the block device, as scaled integer (default KiB)', required: true },
  ],
  options: {},
  async run(ctx, { domain, path, size }) {
    const bytes = parseKiB(size) * 1024;
    const d = await onDomain(domain, `Failed to resize block device '${path}'`, () => ctx.client().blockResize(domain, path, bytes));
    if (ctx.json) return ctx.printJson(d);
    ctx.print(`Block device '${path}' is resized`);
  },
});
