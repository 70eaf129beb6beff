import type { DomainInfo, StateGroup } from '../../client/types.js';
import { command } from '../framework.js';
import { idText, stateWord, table, virshOrder } from '../format.js';

export default command({
  name: 'list',
  summary: 'list domains',
  args: [],
  options: {
    inactive: { type: 'boolean', help: 'list inactive domains' },
    all: { type: 'boolean', help: 'list inactive & active domains' },
    'state-running': { type: 'boolean', help: 'list domains in running state' },
    'state-paused': { type: 'boolean', help: 'list domains in paused state' },
    'state-shutoff': { type: 'boolean', help: 'list domains in shutoff state' },
    'state-other': { type: 'boolean', help: 'list domains in other states' },
    autostart: { type: 'boolean', help: 'list domains with autostart enabled' },
    'no-autostart': { type: 'boolean', help: 'list domains with autostart disabled' },
    persistent: { type: 'boolean', help: 'list persistent domains' },
    transient: { type: 'boolean', help: 'list transient domains' },
    uuid: { type: 'boolean', help: 'list uuid\'s only' },
    name: { type: 'boolean', help: 'list domain names only' },
    title: { type: 'boolean', help: 'show domain title' },
  },
  async run(ctx, _args, o) {
    const states = (['running', 'paused', 'shutoff', 'other'] as const).filter((s) => o[`state-${s}`]) as StateGroup[];
    // As virsh: without --all or a state filter, only active domains; --inactive only inactive ones.
    const active = o.all || states.length > 0 ? undefined : !o.inactive;
    const domains: DomainInfo[] = virshOrder(await ctx.client().listDomains({
      ...(states.length > 0 ? { states } : {}),
      ...(active === undefined ? {} : { active }),
      ...(o.autostart || o['no-autostart'] ? { autostart: o.autostart } : {}),
      ...(o.persistent || o.transient ? { persistent: o.persistent } : {}),
    }));
    if (ctx.json) return ctx.printJson(domains);
    if (o.name || o.uuid) {
      for (const d of domains) ctx.print(o.uuid && o.name ? `${d.uuid} ${d.name}` : o.uuid ? d.uuid : d.name);
      return;
    }
    const header = o.title ? ['Id', 'Name', 'State', 'Title'] : ['Id', 'Name', 'State'];
    const rows = domains.map((d) => [idText(d), d.name, stateWord(d.state), ...(o.title ? [d.title ?? ''] : [])]);
    ctx.print(table(header, rows));
  },
});
