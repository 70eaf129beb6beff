/**
 * virsh vcpucount: maximum/current x config/live, `%-12s %-12s %3d` rows;
 * with one of --maximum/--active and one of --config/--live, just the number.
 */
import { CliError, command, usageError } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';

export default command({
  name: 'vcpucount',
  summary: 'domain vcpu counts',
  args: [DOMAIN_ARG],
  options: {
    maximum: { type: 'boolean', help: 'get maximum count of vcpus' },
    active: { type: 'boolean', help: 'get number of currently active vcpus' },
    live: { type: 'boolean', help: 'get value from running domain' },
    config: { type: 'boolean', help: 'get value to be used on next boot' },
    current: { type: 'boolean', help: 'get value according to current domain state' },
  },
  async run(ctx, { domain }, o) {
    if (o.maximum && o.active) throw usageError('Options --maximum and --active are mutually exclusive');
    if (o.live && o.config) throw usageError('Options --live and --config are mutually exclusive');
    const r = await onDomain(domain, undefined, () => ctx.client().vcpuCount(domain));
    if (ctx.json) return ctx.printJson(r);
    const places = o.live ? (['live'] as const) : o.config ? (['config'] as const)
      : o.current ? [r.live !== null ? ('live' as const) : ('config' as const)] : (['config', 'live'] as const);
    const kinds = o.maximum ? (['maximum'] as const) : o.active ? (['current'] as const) : (['maximum', 'current'] as const);
    const rows: string[] = [];
    for (const k of kinds) {
      for (const p of places) {
        const c = r[p];
        if (c === null) {
          if (places.length === 1) throw new CliError([p === 'live' ? `domain '${domain}' is not running` : `domain '${domain}' is transient: it has no persistent configuration`]);
          continue;
        }
        rows.push(`${k.padEnd(12)} ${p.padEnd(12)} ${String(c[k]).padStart(3)}`);
      }
    }
    const single = (o.maximum || o.active) && (o.live || o.config || o.current);
    ctx.print(single ? rows.map((l) => l.slice(26).trim()).join('\n') : rows.join('\n'));
  },
});
