/** virsh domblkinfo: `Capacity:  N` lines for one disk, or a table of all (--all). */
import type { BlockInfo } from '../../client/types.js';
import { command, usageError } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { table } from '../format.js';
import { diskRows } from './device-lists.js';

/** virsh's --human: the value scaled to the largest unit it reaches, two decimals. */
export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(3)} ${units[i] ?? 'B'}`;
}

export default command({
  name: 'domblkinfo',
  summary: 'domain block device size information',
  args: [DOMAIN_ARG, { name: 'device', help: 'block device', required: false }],
  options: {
    human: { type: 'boolean', help: 'Human readable output' },
    all: { type: 'boolean', help: 'display all block devices info' },
  },
  async run(ctx, { domain, device }, o) {
    const fmt = (n: number): string => (o.human ? humanBytes(n) : String(n));
    const client = ctx.client();
    if (o.all) {
      const xml = await onDomain(domain, undefined, () => client.domainXml(domain));
      const infos: BlockInfo[] = [];
      for (const r of diskRows(xml)) infos.push(await onDomain(domain, undefined, () => client.blockInfo(domain, r.target)));
      if (ctx.json) return ctx.printJson(infos);
      return ctx.print(table(['Target', 'Capacity', 'Allocation', 'Physical'], infos.map((i) => [i.target, fmt(i.capacity), fmt(i.allocation), fmt(i.physical)])));
    }
    if (device === undefined) throw usageError('command \'domblkinfo\' requires <device> option');
    const i = await onDomain(domain, undefined, () => client.blockInfo(domain, device));
    if (ctx.json) return ctx.printJson(i);
    ctx.print([`Capacity:       ${fmt(i.capacity)}`, `Allocation:     ${fmt(i.allocation)}`, `Physical:       ${fmt(i.physical)}`].join('\n'));
  },
});
