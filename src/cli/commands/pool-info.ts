import { command } from '../framework.js';
import { fields } from '../format.js';
import { onStorage, POOL_ARG, prettyCapacity } from '../storage.js';

export default command({
  name: 'pool-info',
  summary: 'storage pool information',
  args: [POOL_ARG],
  options: { bytes: { type: 'boolean', help: 'Reture pool info in bytes' } },
  async run(ctx, { pool }, o) {
    const p = await onStorage({ pool }, undefined, () => ctx.client().getPool(pool));
    if (ctx.json) return ctx.printJson(p);
    const rows: [string, string][] = [
      ['Name:', p.name], ['UUID:', p.uuid], ['State:', p.state],
      ['Persistent:', p.persistent ? 'yes' : 'no'], ['Autostart:', p.autostart ? 'yes' : 'no'],
    ];
    if (p.state === 'running' || p.state === 'degraded') {
      const size = (v: number | null) => (o.bytes ? String(v ?? 0) : prettyCapacity(v ?? 0));
      rows.push(['Capacity:', size(p.capacity)], ['Allocation:', size(p.allocation)], ['Available:', size(p.available)]);
    }
    ctx.print(fields(15, rows));
  },
});
