/**
 * virtkit osinfo-query os: the host's OS database (GET /v1/osinfo, Debian's osinfo-db as virtkitd reads
 * it) in the layout of libosinfo's `osinfo-query os` (Short ID, Name, Version, ID; sorted by short-id),
 * which virt-install's `--osinfo list` points to. Only the `os` type, without conditions or --fields.
 */
import { osinfoQueryTable } from '../../core/osinfo/list.js';
import { command, usageError } from '../framework.js';

export default command({
  name: 'osinfo-query',
  summary: 'list the operating systems of the host\'s osinfo database',
  args: [{ name: 'type', help: 'what to list: os', required: true }],
  options: {},
  async run(ctx, args) {
    if (args.type !== 'os') throw usageError(`Unknown type '${args.type ?? ''}' requested: virtkit lists only 'os'`);
    const { oses } = await ctx.client().osinfoList();
    if (ctx.json) return ctx.printJson(oses.filter((o) => o.id !== 'generic'));
    ctx.io.stdout(osinfoQueryTable(oses));
    ctx.bare();
  },
});
