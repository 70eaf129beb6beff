/** virsh domblkstat: the block counters QEMU keeps for one disk (`vda rd_req N` lines), or all disks summed. */
import { CliError, command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';

type Figures = { rdReqs: number; rdBytes: number; wrReqs: number; wrBytes: number; flReqs: number; rdTimesNs: number; wrTimesNs: number; flTimesNs: number };

const FIELDS: readonly [keyof Figures, string, string][] = [
  ['rdReqs', 'rd_req', 'number of read operations:'],
  ['rdBytes', 'rd_bytes', 'number of bytes read:'],
  ['wrReqs', 'wr_req', 'number of write operations:'],
  ['wrBytes', 'wr_bytes', 'number of bytes written:'],
  ['flReqs', 'flush_operations', 'number of flush operations:'],
  ['rdTimesNs', 'rd_total_times', 'total duration of reads (ns):'],
  ['wrTimesNs', 'wr_total_times', 'total duration of writes (ns):'],
  ['flTimesNs', 'flush_total_times', 'total duration of flushes (ns):'],
];

export default command({
  name: 'domblkstat',
  summary: 'get device block stats for a domain',
  args: [DOMAIN_ARG, { name: 'device', help: 'block device', required: false }],
  options: { human: { type: 'boolean', help: 'print a more human readable output' } },
  async run(ctx, { domain, device }, o) {
    const s = await onDomain(domain, undefined, () => ctx.client().domStats(domain));
    if (s.running === null) throw new CliError([`Failed to get block stats ${domain} ${device ?? ''}`.trimEnd(), `Requested operation is not valid: domain is not running`]);
    const disks = device === undefined ? s.running.block : s.running.block.filter((b) => b.name === device || b.path === device);
    if (device !== undefined && disks.length === 0) {
      throw new CliError([`Failed to get block stats ${domain} ${device}`, `invalid argument: invalid path: ${device}`]);
    }
    const sum = (k: keyof Figures): number => disks.reduce((n, b) => n + b[k], 0);
    const name = device ?? '';
    if (ctx.json) return ctx.printJson(Object.fromEntries(FIELDS.map(([k, key]) => [key, sum(k)])));
    if (o.human) return ctx.print([`Device: ${name}`, ...FIELDS.map(([k, , text]) => ` ${text.padEnd(31)}${sum(k)}`)].join('\n'));
    ctx.print(FIELDS.map(([k, key]) => `${name} ${key} ${sum(k)}`).join('\n'));
  },
});
