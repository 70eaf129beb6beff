import { command, usageError } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';

const UNITS: Record<string, number> = {
  '': 1, b: 1 / 1024, bytes: 1 / 1024, k: 1, kib: 1, kb: 1000 / 1024, m: 1024, mib: 1024, mb: 1e6 / 1024,
  g: 1024 ** 2, gib: 1024 ** 2, gb: 1e9 / 1024, t: 1024 ** 3, tib: 1024 ** 3, tb: 1e12 / 1024,
};

/** virsh's scaled integers: a number with an optional unit, KiB by default. */
export function parseKiB(text: string): number {
  const m = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  const factor = m ? UNITS[(m[2] ?? '').toLowerCase()] : undefined;
  if (!m || factor === undefined) throw usageError(`Scaled numeric value '${text}' for <size> option is malformed or out of range`);
  return Math.ceil(Number(m[1]) * factor);
}

/** virsh's --config/--live/--current; --current excludes the other two. */
export const IMPACT_OPTIONS = {
  config: { type: 'boolean', help: 'affect next boot' },
  live: { type: 'boolean', help: 'affect running domain' },
  current: { type: 'boolean', help: 'affect current domain' },
} as const;

export function impactOf(o: { config: boolean; live: boolean; current: boolean }): { config?: boolean; live?: boolean } {
  if (o.current && (o.config || o.live)) throw usageError(`Options --current and --${o.config ? 'config' : 'live'} are mutually exclusive`);
  return { ...(o.config ? { config: true } : {}), ...(o.live ? { live: true } : {}) };
}

export default command({
  name: 'setmem',
  summary: 'change memory allocation',
  args: [DOMAIN_ARG, { name: 'size', help: 'new memory size, as scaled integer (default KiB)', required: true }],
  options: IMPACT_OPTIONS,
  async run(ctx, { domain, size }, o) {
    const kib = parseKiB(size);
    const d = await onDomain(domain, undefined, () => ctx.client().setMemory(domain, kib, impactOf(o)));
    if (ctx.json) ctx.printJson(d);
  },
});
