import type { NetworkLease } from '../../client/types.js';
import { command } from '../framework.js';
import { table } from '../format.js';
import { NETWORK_ARG, onNetwork } from '../networks.js';

/** virsh's expiry column: local time, '%Y-%m-%d %H:%M:%S'. */
export function expiryText(l: NetworkLease): string {
  if (l.expiresAt === null) return 'never';
  const d = new Date(l.expiresAt * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export default command({
  name: 'net-dhcp-leases',
  summary: 'print lease info for a given network',
  args: [NETWORK_ARG],
  options: { mac: { type: 'string', arg: 'string', help: 'MAC address' } },
  async run(ctx, { network }, o) {
    const leases = (await onNetwork(network, `Failed to get leases info for ${network}`, () => ctx.client().networkLeases(network, o.mac)))
      .sort((a, b) => (a.mac ?? '').localeCompare(b.mac ?? ''));
    if (ctx.json) return ctx.printJson(leases);
    ctx.print(table(['Expiry Time', 'MAC address', 'Protocol', 'IP address', 'Hostname', 'Client ID or DUID'], leases.map((l) => [
      expiryText(l), l.mac ?? '-', l.family, `${l.ip}/${l.prefix}`, l.hostname ?? '-', l.clientId ?? '-',
    ])));
  },
});
