import { command } from '../framework.js';
import { onStorage } from '../storage.js';

export default command({
  name: 'pool-capabilities',
  summary: 'storage pool capabilities',
  args: [],
  options: {},
  async run(ctx) {
    const xml = await onStorage({}, 'failed to get storage pool capabilities', () => ctx.client().poolCapabilities());
    if (ctx.json) return ctx.printJson({ xml });
    ctx.print(xml.trimEnd());
  },
});
