/**
 * virsh net-start; with --dry-run (virtkit's) it prints what the start would do on the host
 * and does nothing: the iproute2 commands, the nft ruleset, dnsmasq's configuration and hosts
 * file; with --json the plan as an object (commands, nftRuleset, dnsmasqConf, hostsFile...).
 */
import { command } from '../framework.js';
import { NETWORK_ARG, onNetwork } from '../networks.js';

export default command({
  name: 'net-start',
  summary: 'start a (previously defined) inactive network',
  args: [NETWORK_ARG],
  options: { 'dry-run': { type: 'boolean', help: 'print what starting would do on the host, and do nothing' } },
  async run(ctx, { network }, o) {
    if (o['dry-run']) {
      const p = await onNetwork(network, `Failed to plan the start of network ${network}`, () => ctx.client().networkStartPlan(network));
      if (ctx.json) return ctx.printJson(p);
      const out = [`# network ${p.network}: what net-start does on the host`, '', '# bridge and addresses', ...p.commands.map((c) => c.join(' ')), ''];
      out.push('# firewall (nft -f)', p.nftRuleset === '' ? '# none (forward mode open)' : p.nftRuleset.trimEnd(), '');
      out.push(`# ${p.files['confFile'] ?? 'dnsmasq configuration'}`, p.dnsmasqConf.trimEnd(), '');
      if (p.hostsFile !== null) out.push(`# ${p.files['hostsFile'] ?? 'hosts file'}`, p.hostsFile.trimEnd(), '');
      if (p.addnHosts !== null && p.addnHosts !== '') out.push(`# ${p.files['addnHostsFile'] ?? 'addn-hosts'}`, p.addnHosts.trimEnd(), '');
      out.push('# dnsmasq', p.dnsmasqArgv.join(' '));
      return ctx.print(out.join('\n'));
    }
    const n = await onNetwork(network, `Failed to start network ${network}`, () => ctx.client().networkAction(network, 'start'));
    if (ctx.json) return ctx.printJson(n);
    ctx.print(`Network ${network} started`);
  },
});
