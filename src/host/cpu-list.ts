/** The kernel's CPU (and node) list syntax, as sysfs and procfs write it. */

/** Parses a kernel CPU list such as "0-3,8,10-11". */
export function parseCpuList(s: string): number[] {
  const out: number[] = [];
  for (const part of s.trim().split(',')) {
    if (part === '') continue;
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || !Number.isInteger(a)) continue;
    const end = b !== undefined && Number.isInteger(b) ? b : a;
    for (let i = a; i <= end; i++) out.push(i);
  }
  return out;
}
