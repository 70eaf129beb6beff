/**
 * The live and config commands of tuning (virsh vcpupin, emulatorpin, iothreadpin, schedinfo,
 * numatune): one change applied to a definition, and what a definition says back, as the
 * commands print it. Pure; the daemon applies the changed live definition with tuning.ts.
 */
import { VirtkitError } from '../errors.js';
import { formatCpuset } from '../placement/cpuset.js';
import { parseCpuset } from '../xml/values.js';
import type { DomainDef } from '../xml/domain/index.js';
import { SCHED_PARAMS, type NumaMode, type SchedParam } from './names.js';

export type SchedValues = Record<SchedParam, number>;

export type TuningChange =
  | { readonly what: 'vcpupin'; readonly vcpu: number; readonly cpuset: string }
  | { readonly what: 'emulatorpin'; readonly cpuset: string }
  | { readonly what: 'iothreadpin'; readonly iothread: number; readonly cpuset: string }
  | { readonly what: 'sched'; readonly params: Partial<SchedValues> }
  | { readonly what: 'numatune'; readonly mode?: NumaMode; readonly nodeset?: string };

export interface TuningView {
  /** Each vCPU's affinity: its vcpupin, else <vcpu cpuset>, else every host CPU. */
  readonly vcpupin: { vcpu: number; cpuset: string }[];
  readonly emulatorpin: string;
  readonly iothreadpin: { iothread: number; cpuset: string }[];
  readonly numatune: { mode: NumaMode; nodeset: string };
}

const bad = (message: string): VirtkitError => new VirtkitError('INVALID_ARGUMENT', message);

/** A CPU list as given on the command line, checked against the host's CPUs; returned in compact form. */
export function checkCpuList(list: string, hostCpus: number): string {
  let cpus: number[];
  try {
    cpus = parseCpuset(list);
  } catch {
    throw bad(`Invalid cpulist '${list}'`);
  }
  if (cpus.length === 0) throw bad(`cpulist '${list}' names no CPU`);
  const over = cpus.filter((c) => c >= hostCpus);
  if (over.length > 0) throw bad(`cpulist '${list}' names CPU ${formatCpuset(over)}, but the host has CPUs 0-${hostCpus - 1}`);
  return formatCpuset(cpus);
}

const vcpuCount = (def: DomainDef): number => def.vcpu?.current ?? def.vcpu?.value ?? 1;
const iothreadIds = (def: DomainDef): number[] =>
  def.iothreadids?.iothread?.map((t) => t.id) ?? Array.from({ length: def.iothreads ?? 0 }, (_, i) => i + 1);

export function tuningView(def: DomainDef, hostCpus: number): TuningView {
  const all = hostCpus > 0 ? `0-${hostCpus - 1}` : '0';
  const dflt = def.vcpu?.cpuset === undefined ? all : formatCpuset(parseCpuset(def.vcpu.cpuset));
  const ct = def.cputune;
  const pin = (s: string | undefined): string => (s === undefined ? dflt : formatCpuset(parseCpuset(s)));
  const m = def.numatune?.memory;
  return {
    vcpupin: Array.from({ length: vcpuCount(def) }, (_, vcpu) => ({ vcpu, cpuset: pin(ct?.vcpupin?.find((p) => p.vcpu === vcpu)?.cpuset) })),
    emulatorpin: pin(ct?.emulatorpin?.cpuset),
    iothreadpin: iothreadIds(def).map((iothread) => ({ iothread, cpuset: pin(ct?.iothreadpin?.find((p) => p.iothread === iothread)?.cpuset) })),
    numatune: { mode: m?.mode ?? 'strict', nodeset: m?.nodeset === undefined ? '' : formatCpuset(parseCpuset(m.nodeset)) },
  };
}

/** What the definition sets (0 where it says nothing, as virsh schedinfo --config prints). */
export function schedFromDef(def: DomainDef): SchedValues {
  const ct = def.cputune;
  const out = {} as SchedValues;
  for (const [k, el] of Object.entries(SCHED_PARAMS) as [SchedParam, (typeof SCHED_PARAMS)[SchedParam]][]) out[k] = ct?.[el] ?? 0;
  return out;
}

/** Whether the domain-wide memory nodes of `def` go through cpuset.mems (plan.ts), so a running domain can change them. */
function memsInCgroup(def: DomainDef): boolean {
  const mode = def.numatune?.memory?.mode ?? 'strict';
  return mode === 'restrictive' || (mode === 'strict' && (def.cpu?.numa?.cell ?? []).length === 0);
}

/**
 * `def` with `change` applied; `live` says it is for the running domain (libvirt's rules: the
 * numatune mode cannot change live, nor a nodeset QEMU got on its command line).
 */
export function applyTuningChange(def: DomainDef, change: TuningChange, o: { live: boolean; hostCpus: number }): DomainDef {
  const out = structuredClone(def);
  const ct = { ...(out.cputune ?? {}) };
  switch (change.what) {
    case 'vcpupin': {
      const max = o.live ? vcpuCount(def) : (def.vcpu?.value ?? 1);
      if (change.vcpu >= max) throw bad(`vcpu ${change.vcpu} is out of range of ${o.live ? 'live' : 'persistent'} cpu count ${max}`);
      const cpuset = checkCpuList(change.cpuset, o.hostCpus);
      ct.vcpupin = [...(ct.vcpupin ?? []).filter((p) => p.vcpu !== change.vcpu), { vcpu: change.vcpu, cpuset }].sort((a, b) => a.vcpu - b.vcpu);
      break;
    }
    case 'emulatorpin':
      ct.emulatorpin = { cpuset: checkCpuList(change.cpuset, o.hostCpus) };
      break;
    case 'iothreadpin': {
      if (!iothreadIds(def).includes(change.iothread)) throw bad(`cannot find IOThread ${change.iothread} in the domain's ${o.live ? 'live' : 'persistent'} definition`);
      const cpuset = checkCpuList(change.cpuset, o.hostCpus);
      ct.iothreadpin = [...(ct.iothreadpin ?? []).filter((p) => p.iothread !== change.iothread), { iothread: change.iothread, cpuset }].sort((a, b) => a.iothread - b.iothread);
      break;
    }
    case 'sched':
      for (const [k, value] of Object.entries(change.params) as [SchedParam, number | undefined][]) {
        if (value === undefined) continue;
        const el = SCHED_PARAMS[k];
        if (el === undefined) throw bad(`invalid scheduler parameter '${String(k)}'; the QEMU driver takes ${Object.keys(SCHED_PARAMS).join(', ')}`);
        (ct as Record<string, number>)[el] = value;
      }
      break;
    case 'numatune': {
      const cur = def.numatune?.memory;
      const mode = change.mode ?? cur?.mode ?? 'strict';
      if (o.live && change.mode !== undefined && change.mode !== (cur?.mode ?? 'strict')) throw new VirtkitError('OPERATION_INVALID', "can't change numatune mode for running domain");
      let nodeset = cur?.nodeset;
      if (change.nodeset !== undefined) {
        try {
          nodeset = formatCpuset(parseCpuset(change.nodeset));
        } catch {
          throw bad(`Invalid nodeset '${change.nodeset}'`);
        }
        if (o.live && !memsInCgroup(def)) {
          throw new VirtkitError('OPERATION_INVALID', `the nodeset of a running domain changes only with mode 'strict' without guest NUMA cells, or 'restrictive' (through cpuset.mems): its guest RAM was bound on QEMU's command line; use --config`);
        }
      }
      out.numatune = { ...(out.numatune ?? {}), memory: { ...(cur ?? {}), mode, ...(nodeset === undefined ? {} : { nodeset }) } };
      return out;
    }
  }
  out.cputune = ct;
  return out;
}
