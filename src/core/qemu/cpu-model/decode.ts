/**
 * A set of CPU features described as libvirt describes a CPU: the closest named model plus
 * the features to add (require) and, where allowed, to take away (disable). libvirt's
 * x86Decode: only models of the CPU's own vendor, the candidate needing the fewest extra
 * features wins. Pure.
 */
import type { CpuModelInfo, CpuOffer } from './models.js';

export interface DecodedCpu {
  readonly model: string;
  readonly vendor?: string;
  /** Features the CPU has beyond the model, sorted. */
  readonly require: readonly string[];
  /** Features of the model the CPU lacks, sorted (empty unless allowDisable). */
  readonly disable: readonly string[];
}

export interface DecodeOptions {
  /**
   * Whether the model may have features the CPU lacks (then listed as disable): yes for a
   * guest's host-model (domcapabilities), no for the host's own <cpu> (capabilities).
   */
  readonly allowDisable: boolean;
}

const minus = (a: ReadonlySet<string>, b: ReadonlySet<string>): string[] => [...a].filter((f) => !b.has(f)).sort();

export function decodeCpu(cpu: CpuOffer, models: readonly CpuModelInfo[], opts: DecodeOptions): DecodedCpu | undefined {
  const sameVendor = models.filter((m) => cpu.vendor === undefined || m.vendor === undefined || m.vendor === cpu.vendor);
  let best: { m: CpuModelInfo; require: string[]; disable: string[] } | undefined;
  for (const m of sameVendor.length > 0 ? sameVendor : models) {
    const disable = minus(m.features, cpu.features);
    if (disable.length > 0 && !opts.allowDisable) continue;
    const require = minus(cpu.features, m.features);
    const c = { m, require, disable };
    if (best === undefined || better(c, best)) best = c;
  }
  if (best === undefined) return undefined;
  const vendor = cpu.vendor ?? best.m.vendor;
  return { model: best.m.name, ...(vendor === undefined ? {} : { vendor }), require: best.require, disable: best.disable };
}

type Candidate = { m: CpuModelInfo; require: string[]; disable: string[] };

/** Fewer listed features, then fewer disabled ones, then not deprecated, then by name. */
function better(a: Candidate, b: Candidate): boolean {
  const size = (c: Candidate): number => c.require.length + c.disable.length;
  if (size(a) !== size(b)) return size(a) < size(b);
  if (a.disable.length !== b.disable.length) return a.disable.length < b.disable.length;
  if (a.m.deprecated !== b.m.deprecated) return !a.m.deprecated;
  return a.m.name < b.m.name;
}
