/**
 * virsh domifstat: the counters of one interface (named by its host tap or MAC) as the guest sees
 * them: the host tap's rx is the guest's tx, as libvirt swaps them. `vnet0 rx_bytes N` lines.
 */
import { CliError, command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { findInterface } from '../interfaces.js';

const FIELDS = [
  ['rxBytes', 'rx_bytes'], ['rxPackets', 'rx_packets'], ['rxErrors', 'rx_errs'], ['rxDrops', 'rx_drop'],
  ['txBytes', 'tx_bytes'], ['txPackets', 'tx_packets'], ['txErrors', 'tx_errs'], ['txDrops', 'tx_drop'],
] as const;

export default command({
  name: 'domifstat',
  summary: 'get network interface stats for a domain',
  args: [DOMAIN_ARG, { name: 'interface', help: 'interface device specified by name or MAC Address', required: true }],
  options: {},
  async run(ctx, { domain, interface: ref }) {
    const fail = (why: string): CliError => new CliError([`Failed to get interface stats ${domain} ${ref}`, why]);
    const [xml, s] = await onDomain(domain, undefined, () => Promise.all([ctx.client().domainXml(domain, {}), ctx.client().domStats(domain)]));
    if (s.running === null) throw fail('Requested operation is not valid: domain is not running');
    const tap = findInterface(xml, ref)?.target?.dev;
    const stats = tap === undefined ? undefined : s.running.net.find((n) => n.device === tap);
    if (tap === undefined || stats === undefined) throw fail(`invalid argument: invalid path, '${ref}' is not a known interface`);
    if (ctx.json) return ctx.printJson(Object.fromEntries(FIELDS.map(([k, key]) => [key, stats[k]])));
    ctx.print(FIELDS.map(([k, key]) => `${tap} ${key} ${stats[k]}`).join('\n'));
  },
});
