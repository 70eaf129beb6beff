import { command } from '../framework.js';
import { table } from '../format.js';
import { onStorage, POOL_ARG, prettyCapacity } from '../storage.js';

export default command({
  name: 'vol-list',
  summary: 'list vols',
  args: [POOL_ARG],
  options: { details: { type: 'boolean', help: 'display extended details for volumes' } },
  async run(ctx, { pool }, o) {
    const vols = await onStorage({ pool }, undefined, () => ctx.client().listVolumes(pool));
    if (ctx.json) return ctx.printJson(vols);
    if (!o.details) return ctx.print(table(['Name', 'Path'], vols.map((v) => [v.name, v.path])));
    ctx.print(table(['Name', 'Path', 'Type', 'Capacity', 'Allocation'],
      vols.map((v) => [v.name, v.path, v.type, prettyCapacity(v.capacity), prettyCapacity(v.allocation)])));
  },
});
