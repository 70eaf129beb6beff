/**
 * virsh domstats: `Domain: 'NAME'` then `  group.field=value` lines, in
 * libvirt's group order (state, cpu, balloon, vcpu, interface, block).
 * Without a domain, every domain. Without a group flag, every group.
 */
import type { DomStats } from '../../client/types.js';
import { command } from '../framework.js';
import { onDomain } from '../domain.js';

type Group = 'state' | 'cpu' | 'balloon' | 'vcpu' | 'net' | 'block';

export function domstatsLines(s: DomStats, groups: ReadonlySet<Group>): string[] {
  const out = [`Domain: '${s.name}'`];
  const put = (k: string, v: string | number) => out.push(`  ${k}=${v}`);
  if (groups.has('state')) {
    put('state.state', s.stateCode);
    put('state.reason', s.reasonCode);
  }
  const r = s.running;
  if (r !== null && groups.has('cpu')) {
    put('cpu.time', r.cpuTimeNs);
    put('cpu.user', r.cpuUserNs);
    put('cpu.system', r.cpuSystemNs);
  }
  if (r !== null && groups.has('balloon')) {
    put('balloon.current', r.balloon.currentKiB);
    put('balloon.maximum', r.balloon.maximumKiB);
  }
  if (groups.has('vcpu')) {
    put('vcpu.current', s.vcpuCurrent);
    put('vcpu.maximum', s.vcpuMaximum);
    for (const v of r?.vcpus ?? []) {
      put(`vcpu.${v.vcpu}.state`, v.state === 'running' ? 1 : 0);
      put(`vcpu.${v.vcpu}.time`, v.cpuTimeNs);
    }
  }
  if (r !== null && groups.has('net')) {
    put('net.count', r.net.length);
    r.net.forEach((n, i) => {
      put(`net.${i}.name`, n.device);
      put(`net.${i}.rx.bytes`, n.rxBytes);
      put(`net.${i}.rx.pkts`, n.rxPackets);
      put(`net.${i}.rx.errs`, n.rxErrors);
      put(`net.${i}.rx.drop`, n.rxDrops);
      put(`net.${i}.tx.bytes`, n.txBytes);
      put(`net.${i}.tx.pkts`, n.txPackets);
      put(`net.${i}.tx.errs`, n.txErrors);
      put(`net.${i}.tx.drop`, n.txDrops);
    });
  }
  if (r !== null && groups.has('block')) {
    put('block.count', r.block.length);
    r.block.forEach((b, i) => {
      put(`block.${i}.name`, b.name);
      if (b.path !== null) put(`block.${i}.path`, b.path);
      put(`block.${i}.rd.reqs`, b.rdReqs);
      put(`block.${i}.rd.bytes`, b.rdBytes);
      put(`block.${i}.rd.times`, b.rdTimesNs);
      put(`block.${i}.wr.reqs`, b.wrReqs);
      put(`block.${i}.wr.bytes`, b.wrBytes);
      put(`block.${i}.wr.times`, b.wrTimesNs);
      put(`block.${i}.fl.reqs`, b.flReqs);
      put(`block.${i}.fl.times`, b.flTimesNs);
    });
  }
  return out;
}

export default command({
  name: 'domstats',
  summary: 'get statistics about one or multiple domains',
  args: [{ name: 'domain', help: 'domain name, id or uuid (default: every domain)', required: false }],
  options: {
    state: { type: 'boolean', help: 'report domain state' },
    'cpu-total': { type: 'boolean', help: 'report domain physical cpu usage' },
    balloon: { type: 'boolean', help: 'report domain balloon statistics' },
    vcpu: { type: 'boolean', help: 'report domain virtual cpu information' },
    interface: { type: 'boolean', help: 'report domain network interface information' },
    block: { type: 'boolean', help: 'report domain block device statistics' },
  },
  async run(ctx, { domain }, o) {
    const picked: Group[] = [
      ...(o.state ? ['state' as const] : []), ...(o['cpu-total'] ? ['cpu' as const] : []), ...(o.balloon ? ['balloon' as const] : []),
      ...(o.vcpu ? ['vcpu' as const] : []), ...(o.interface ? ['net' as const] : []), ...(o.block ? ['block' as const] : []),
    ];
    const groups = new Set<Group>(picked.length > 0 ? picked : ['state', 'cpu', 'balloon', 'vcpu', 'net', 'block']);
    const client = ctx.client();
    const names = domain !== undefined ? [domain] : (await client.listDomains()).map((d) => d.name);
    const stats = await Promise.all(names.map((n) => onDomain(n, undefined, () => client.domStats(n))));
    if (ctx.json) return ctx.printJson(stats);
    ctx.print(stats.map((s) => domstatsLines(s, groups).join('\n')).join('\n\n'));
  },
});
