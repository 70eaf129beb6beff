import { VIRTKIT_VERSION } from '../../core/version.js';
import { command } from '../framework.js';

export default command({
  name: 'version',
  summary: 'show version',
  args: [],
  options: { daemon: { type: 'boolean', help: 'report daemon version too' } },
  async run(ctx, _args, o) {
    const mine = VIRTKIT_VERSION;
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
