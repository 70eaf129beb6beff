import type { DomainStats } from '../../client/types.js';
import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { fields, idText, stateWord } from '../format.js';

export default command({
  name: 'dominfo',
  summary: 'domain information',
  args: [DOMAIN_ARG],
  options: {},
  async run(ctx, { domain }) {
    const client = ctx.client();
    const d = await onDomain(domain, undefined, () => client.getDomain(domain));
    // CPU time and the balloon's size come from the running guest; without them, virsh omits CPU time.
    let stats: DomainStats | undefined;
    if (d.id !== null) stats = await client.stats(domain).catch(() => undefined);
    if (ctx.json) return ctx.printJson({ ...d, ...(stats ? { cpuTimeNs: stats.cpuTimeNs } : {}) });
    ctx.print(fields(15, [
      ['Id:', idText(d)],
      ['Name:', d.name],
      ['UUID:', d.uuid],
      ['OS Type:', d.osType],
      ['State:', stateWord(d.state)],
      ['CPU(s):', String(stats?.vcpus ?? d.vcpus)],
      ...(stats && stats.cpuTimeNs > 0 ? [['CPU time:', `${(stats.cpuTimeNs / 1e9).toFixed(1)}s`] as const] : []),
      ['Max memory:', `${d.maxMemoryKiB} KiB`],
      ['Used memory:', `${stats?.currentMemoryKiB ?? d.currentMemoryKiB} KiB`],
      ['Persistent:', d.persistent ? 'yes' : 'no'],
      ['Autostart:', d.autostart ? 'enable' : 'disable'],
      ['Managed save:', 'no'],
    ]));
  },
});
