/**
 * virsh maxvcpus: the most vCPUs a guest of that type may have, as virsh 9.0 finds it: the
 * `<vcpu max>` of the domain capabilities (the default machine's maximum, from the probed QEMU).
 */
import { CliError, command, usageError } from '../framework.js';

export default command({
  name: 'maxvcpus',
  summary: 'connection vcpu maximum',
  args: [],
  options: { type: { type: 'string', help: 'domain type', arg: 'string' } },
  async run(ctx, _a, o) {
    if (o.type !== undefined && o.type !== 'qemu' && o.type !== 'kvm') throw usageError(`unknown domain type '${o.type}': virtkit runs 'qemu' and 'kvm' domains`);
    // a failure (kvm where KVM does not work) is printed as virsh prints it: `error: ` and why
    const xml = await ctx.client().domainCapabilities(o.type === undefined ? {} : { virttype: o.type });
    const max = /<vcpu max='(\d+)'\/>/.exec(xml)?.[1];
    if (max === undefined) throw new CliError(['the domain capabilities have no <vcpu max>']);
    if (ctx.json) return ctx.printJson({ maxvcpus: Number(max) });
    ctx.print(max);
  },
});
