import { readFileSync } from 'node:fs';
import { command } from '../framework.js';

/** This CLI's version, from package.json (dist/src/cli/commands/ is four levels below the root). */
function cliVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export default command({
  name: 'version',
  summary: 'show version',
  args: [],
  options: { daemon: { type: 'boolean', help: 'report daemon version too' } },
  async run(ctx, _args, o) {
    const mine = cliVersion();
    const host = await ctx.client().host();
    if (ctx.json) return ctx.printJson({ client: mine, daemon: host.version, hypervisor: host.hypervisor });
    const lines = [
      `Compiled against library: virtkit ${mine}`,
      `Using library: virtkit ${mine}`,
      `Using API: QEMU ${host.version}`,
      ...(host.hypervisor ? [`Running hypervisor: ${host.hypervisor.name} ${host.hypervisor.version}`] : []),
      ...(o.daemon ? [`Running against daemon: ${host.version}`] : []),
    ];
    ctx.print(lines.join('\n'));
  },
});
