/**
 * virsh's CPU questions: compare a described CPU with what the host or the hypervisor offers
 * (cpu-compare, hypervisor-cpu-compare), and the baseline of several CPUs: the newest model
 * plus features that all of them have (cpu-baseline, hypervisor-cpu-baseline). The `<cpu>`s
 * come from any XML holding them: a bare `<cpu>`, a domain, capabilities, several of them
 * concatenated (virsh wraps the file in a container element as well). Pure.
 */
import { VirtkitError } from '../../errors.js';
import { escapeXmlAttr, parseXmlTree } from '../../xml/tree.js';
import type { XmlElement } from '../../xml/tree.js';
import type { QemuCaps } from '../caps.js';
import { decodeCpu } from './decode.js';
import { cpuIncompatible } from './guest.js';
import { cpuModelInfo, namedCpuModels } from './models.js';
import type { CpuOffer } from './models.js';

export interface CpuDesc {
  readonly mode?: string;
  readonly model?: string;
  readonly vendor?: string;
  /** policy absent: a host CPU's feature (it has it). */
  readonly features: readonly { readonly name: string; readonly policy?: string }[];
}

const attr = (el: XmlElement, name: string): string | undefined => el.attrs.find(([k]) => k === name)?.[1];
const child = (el: XmlElement, name: string): XmlElement | undefined => el.children.find((c) => c.name === name);

/** Every `<cpu>` that describes a CPU (not a NUMA cell's `<cpus><cpu id>`, not domcapabilities' modes). */
export function extractCpus(text: string): CpuDesc[] {
  const body = text.replace(/<\?xml[^?]*\?>/g, '');
  const root = parseXmlTree(`<container>${body}</container>`);
  const out: CpuDesc[] = [];
  const walk = (el: XmlElement, parent: string): void => {
    if (el.name === 'cpu' && parent !== 'cpus' && parent !== 'domainCapabilities') {
      const model = child(el, 'model')?.text.trim();
      const vendor = child(el, 'vendor')?.text.trim();
      const mode = attr(el, 'mode');
      out.push({
        ...(mode === undefined ? {} : { mode }),
        ...(model === undefined || model === '' ? {} : { model }),
        ...(vendor === undefined || vendor === '' ? {} : { vendor }),
        features: el.children.filter((c) => c.name === 'feature').map((f) => {
          const policy = attr(f, 'policy');
          return { name: attr(f, 'name') ?? '', ...(policy === undefined ? {} : { policy }) };
        }),
      });
      return;
    }
    for (const c of el.children) walk(c, el.name);
  };
  walk(root, '');
  if (out.length === 0) throw new VirtkitError('INVALID_ARGUMENT', 'no <cpu> element in the XML: give a <cpu>, or a domain or capabilities XML holding one');
  return out;
}

/** The features a described CPU has or needs, and those it forbids (libvirt's names). */
function cpuFeatures(cpu: CpuDesc, caps: QemuCaps): { features: Set<string>; forbid: Set<string>; vendor?: string } {
  let features = new Set<string>();
  let vendor = cpu.vendor;
  if (cpu.model !== undefined) {
    const info = cpuModelInfo(caps, cpu.model);
    if (info === undefined) throw new VirtkitError('INVALID_ARGUMENT', `unknown CPU model '${cpu.model}' (virtkit cpu-models x86_64 lists them)`, { details: { model: cpu.model } });
    features = new Set(info.features);
    vendor ??= info.vendor;
  }
  const forbid = new Set<string>();
  for (const f of cpu.features) {
    if (f.policy === undefined || f.policy === 'require' || f.policy === 'force') features.add(f.name);
    else if (f.policy === 'disable' || f.policy === 'forbid') features.delete(f.name);
    if (f.policy === 'forbid') forbid.add(f.name);
  }
  return { features, forbid, ...(vendor === undefined ? {} : { vendor }) };
}

export type CpuCompareResult = 'incompatible' | 'identical' | 'superset';

export interface CpuComparison {
  readonly result: CpuCompareResult;
  /** Features the CPU needs that the host or hypervisor lacks (incompatible). */
  readonly missing: readonly string[];
  /** Why it is incompatible, in libvirt's words; absent otherwise. */
  readonly reason?: string;
}

/** libvirt's virCPUCompare: host-model and host-passthrough are what is offered, so identical. */
export function compareCpu(cpu: CpuDesc, offer: CpuOffer, caps: QemuCaps): CpuComparison {
  if (cpu.mode === 'host-model' || cpu.mode === 'host-passthrough' || cpu.mode === 'maximum') return { result: 'identical', missing: [] };
  const want = cpuFeatures(cpu, caps);
  if (want.vendor !== undefined && offer.vendor !== undefined && want.vendor !== offer.vendor) {
    return { result: 'incompatible', missing: [], reason: `the CPU is incompatible with host CPU: host CPU vendor does not match required CPU vendor ${want.vendor}` };
  }
  const missing = [...want.features].filter((f) => !offer.features.has(f)).sort();
  if (missing.length > 0) return { result: 'incompatible', missing, reason: cpuIncompatible(missing, offer).message };
  const forbidden = [...want.forbid].filter((f) => offer.features.has(f)).sort();
  if (forbidden.length > 0) {
    return { result: 'incompatible', missing: [], reason: `the CPU is incompatible with host CPU: Host CPU provides forbidden features: ${forbidden.join(', ')}` };
  }
  const identical = want.features.size === offer.features.size;
  return { result: identical ? 'identical' : 'superset', missing: [] };
}

export interface BaselineOptions {
  /** hypervisor-cpu-baseline: only what the accelerator offers too. */
  readonly offer?: CpuOffer;
  /** --features: list the model's own features as well. */
  readonly expandFeatures?: boolean;
}

/** The baseline `<cpu>` of `cpus` as virsh prints it. */
export function baselineCpuXml(cpus: readonly CpuDesc[], caps: QemuCaps, opts: BaselineOptions = {}): string {
  const sets = cpus.map((c) => cpuFeatures(c, caps));
  const vendors = new Set(sets.map((s) => s.vendor).filter((v) => v !== undefined));
  if (vendors.size > 1) throw new VirtkitError('INVALID_ARGUMENT', `CPU vendors do not match: ${[...vendors].join(', ')}; a baseline needs CPUs of one vendor`);
  let common = sets[0]?.features ?? new Set<string>();
  for (const s of [...sets.slice(1).map((x) => x.features), ...(opts.offer === undefined ? [] : [opts.offer.features])]) {
    common = new Set([...common].filter((f) => s.has(f)));
  }
  const vendor = [...vendors][0];
  const wanted = { ...(vendor === undefined ? {} : { vendor }), features: common, source: 'baseline' };
  // A model the common features fully have; failing that (a KVM without SSE3 has none), the
  // closest one with the features it lacks disabled, as libvirt's baseline may print them.
  const models = namedCpuModels(caps);
  const d = decodeCpu(wanted, models, { allowDisable: false }) ?? decodeCpu(wanted, models, { allowDisable: true });
  if (d === undefined) throw new VirtkitError('INVALID_ARGUMENT', 'no CPU model fits the features these CPUs have in common');
  const listed = opts.expandFeatures === true ? [...common].sort() : d.require;
  return [
    "<cpu mode='custom' match='exact'>",
    `  <model fallback='forbid'>${escapeXmlAttr(d.model)}</model>`,
    ...(d.vendor === undefined ? [] : [`  <vendor>${escapeXmlAttr(d.vendor)}</vendor>`]),
    ...listed.map((f) => `  <feature policy='require' name='${escapeXmlAttr(f)}'/>`),
    ...d.disable.map((f) => `  <feature policy='disable' name='${escapeXmlAttr(f)}'/>`),
    '</cpu>',
    '',
  ].join('\n');
}
