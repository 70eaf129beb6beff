import { command } from '../framework.js';
import { table } from '../format.js';

export default command({
  name: 'net-list',
  summary: 'list networks',
  args: [],
  options: {
    inactive: { type: 'boolean', help: 'list inactive networks' },
    all: { type: 'boolean', help: 'list inactive & active networks' },
    persistent: { type: 'boolean', help: 'list persistent networks' },
    transient: { type: 'boolean', help: 'list transient networks' },
    autostart: { type: 'boolean', help: 'list networks with autostart enabled' },
    'no-autostart': { type: 'boolean', help: 'list networks with autostart disabled' },
    uuid: { type: 'boolean', help: 'list uuid\'s only' },
    name: { type: 'boolean', help: 'list network names only' },
    table: { type: 'boolean', help: 'list table (default)' },
  },
  async run(ctx, _args, o) {
    // As virsh: without --all only active networks; --inactive only inactive ones.
    const active = o.all ? undefined : !o.inactive;
    const nets = (await ctx.client().listNetworks({
      ...(active === undefined ? {} : { active }),
      ...(o.persistent !== o.transient ? { persistent: o.persistent } : {}),
      ...(o.autostart !== o['no-autostart'] ? { autostart: o.autostart } : {}),
    })).sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
    if (ctx.json) return ctx.printJson(nets);
    if ((o.name || o.uuid) && !o.table) {
      for (const n of nets) ctx.print(o.uuid && o.name ? `${n.uuid} ${n.name}` : o.uuid ? n.uuid : n.name);
      return;
    }
    const yesNo = (b: boolean) => (b ? 'yes' : 'no');
    const rows = nets.map((n) => [n.name, n.active ? 'active' : 'inactive', yesNo(n.autostart), yesNo(n.persistent)]);
    ctx.print(table(['Name', 'State', 'Autostart', 'Persistent'], rows));
  },
});
