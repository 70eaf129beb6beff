/**
 * virsh maxvcpus: the most vCPUs a guest of that type may have, as virsh 9.0 finds it: the
 * `<vcpu max>` of the domain capabilities (the default machine's maximum, from the probed QEMU).
 */
import { CliError, command, usageError } from '../framework.js';
import { asVirtkitError } from '../../core/errors.js';

export default command({
  name: 'maxvcpus',
  summary: 'connection vcpu maximum',
  args: [],
  options: { type: { type: 'string', help: 'domain type', arg: 'string' } },
  async run(ctx, _a, o) {
    if (o.type !== undefined && o.type !== 'qemu' && o.type !== 'kvm') throw usageError(`unknown domain type '${o.type}': virtkit runs 'qemu' and 'kvm' domains`);
    let xml: string;
    try {
      xml = await ctx.client().domainCapabilities(o.type === undefined ? {} : { virttype: o.type });
    } catch (e) {
      const err = asVirtkitError(e);
      if (err.code === 'DAEMON_UNREACHABLE') throw err;
      throw new CliError(['failed to get the maximum vcpus', err.message], err);
    }
    const max = /<vcpu max='(\d+)'\/>/.exec(xml)?.[1];
    if (max === undefined) throw new CliError(['failed to get the maximum vcpus', 'the domain capabilities have no <vcpu max>']);
    if (ctx.json) return ctx.printJson({ maxvcpus: Number(max) });
    ctx.print(max);
  },
});
