import type { PoolInfo } from '../../client/types.js';
import { command } from '../framework.js';
import { table } from '../format.js';
import { prettyCapacity } from '../storage.js';

const size = (p: PoolInfo, v: number | null): string => (p.state === 'running' || p.state === 'degraded') && v !== null ? prettyCapacity(v) : '-';

export default command({
  name: 'pool-list',
  summary: 'list pools',
  args: [],
  options: {
    inactive: { type: 'boolean', help: 'list inactive pools' },
    all: { type: 'boolean', help: 'list inactive & active pools' },
    transient: { type: 'boolean', help: 'list transient pools' },
    persistent: { type: 'boolean', help: 'list persistent pools' },
    autostart: { type: 'boolean', help: 'list pools with autostart enabled' },
    'no-autostart': { type: 'boolean', help: 'list pools with autostart disabled' },
    type: { type: 'string', help: 'only list pool of specified type(s) (if supported)', arg: 'string' },
    details: { type: 'boolean', help: 'display extended details for pools' },
    uuid: { type: 'boolean', help: 'list UUID of active pools only' },
    name: { type: 'boolean', help: 'list name of active pools only' },
  },
  async run(ctx, _args, o) {
    // As virsh: without --all only active pools; --inactive only inactive ones.
    const active = o.all ? undefined : !o.inactive;
    const pools = (await ctx.client().listPools({
      ...(active === undefined ? {} : { active }),
      ...(o.persistent || o.transient ? { persistent: o.persistent } : {}),
      ...(o.autostart || o['no-autostart'] ? { autostart: o.autostart } : {}),
      ...(o.type === undefined ? {} : { types: o.type.split(',') }),
    })).sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
    if (ctx.json) return ctx.printJson(pools);
    if (o.name || o.uuid) {
      for (const p of pools) ctx.print(o.uuid && o.name ? `${p.uuid} ${p.name}` : o.uuid ? p.uuid : p.name);
      return;
    }
    const yesNo = (b: boolean) => (b ? 'yes' : 'no');
    if (!o.details) {
      ctx.print(table(['Name', 'State', 'Autostart'], pools.map((p) => [p.name, p.active ? 'active' : 'inactive', yesNo(p.autostart)])));
      return;
    }
    ctx.print(table(['Name', 'State', 'Autostart', 'Persistent', 'Capacity', 'Allocation', 'Available'], pools.map((p) => [
      p.name, p.state, yesNo(p.autostart), yesNo(p.persistent), size(p, p.capacity), size(p, p.allocation), size(p, p.available),
    ])));
  },
});
