/**
 * -cpu (model, features, Hyper-V enlightenments, KVM features), -smp and the
 * iothread objects.
 */
import { VirtkitError } from '../../errors.js';
import { qemuFeatureName } from '../cpu-model/names.js';
import { unsupported } from './caps-view.js';
import type { BuildCtx } from './context.js';
import { push, refuse } from './context.js';
import { escapeOptValue, jsonOpt } from './escape.js';
import { smpVcpus } from '../hotplug/vcpu-plan.js';

// libvirt's order of Hyper-V enlightenments on -cpu, with QEMU's names.
const HYPERV: ReadonlyArray<readonly [key: string, qemu: string]> = [
  ['relaxed', 'hv-relaxed'],
  ['vapic', 'hv-vapic'],
  ['spinlocks', 'hv-spinlocks'],
  ['vpindex', 'hv-vpindex'],
  ['runtime', 'hv-runtime'],
  ['synic', 'hv-synic'],
  ['stimer', 'hv-stimer'],
  ['reset', 'hv-reset'],
  ['vendor_id', 'hv-vendor-id'],
  ['frequencies', 'hv-frequencies'],
  ['reenlightenment', 'hv-reenlightenment'],
  ['tlbflush', 'hv-tlbflush'],
  ['ipi', 'hv-ipi'],
  ['evmcs', 'hv-evmcs'],
  ['avic', 'hv-avic'],
  ['emsr_bitmap', 'hv-emsr-bitmap'],
  ['xmm_input', 'hv-xmm-input'],
];

// Enlightenments newer than some QEMU we may run: [qemu name, first QEMU version].
const HYPERV_SINCE: Record<string, readonly [number, number]> = {
  'hv-avic': [6, 2],
  'hv-emsr-bitmap': [7, 1],
  'hv-xmm-input': [7, 1],
};

function cpuModel(ctx: BuildCtx): string[] {
  const cpu = ctx.def.cpu;
  const mode = cpu?.mode ?? 'custom';
  switch (mode) {
    case 'host-passthrough': {
      if (ctx.def.type !== 'kvm') throw refuse('/domain/cpu/@mode', "host-passthrough needs <domain type='kvm'>");
      return ['host', `migratable=${cpu?.migratable === false ? 'off' : 'on'}`];
    }
    case 'maximum':
      return ['max', ...(cpu?.migratable !== undefined ? [`migratable=${cpu.migratable ? 'on' : 'off'}`] : [])];
    case 'host-model':
      // The driver expands it at start (core/qemu/cpu-model: expandHostModel) into mode='custom'.
      throw refuse('/domain/cpu/@mode', "host-model must be expanded into a named model first (expandHostModel); use host-passthrough or a named model");
    case 'custom': {
      const m = cpu?.model?.value ?? 'qemu64';
      if (!ctx.caps.hasCpuModel(m)) throw unsupported(`/domain/cpu/model: CPU model '${m}'`, ctx.caps);
      return [escapeOptValue(m, 'cpu model')];
    }
  }
}

/**
 * `<model vendor_id='GenuineIntel'>`: the CPUID vendor string the guest sees, after the model (in any
 * mode) as libvirt writes it. It decides how the guest reads its topology: a Linux guest takes SMT threads from an Intel
 * CPU's leaf 0xB, but from an AMD CPU (qemu64 is one) only with topoext, so qemu64 shows threads as cores.
 */
function vendor(ctx: BuildCtx): string[] {
  const id = ctx.def.cpu?.model?.vendor_id;
  if (id === undefined) return [];
  // libvirt's rule (virCPUDefParseXML), also in validate.ts: the CPUID vendor string is 12 bytes.
  if (id.length !== 12) throw new VirtkitError('XML_INVALID_VALUE', `/domain/cpu/model/@vendor_id: '${id}' must be exactly 12 characters long`);
  return [`vendor=${escapeOptValue(id, 'cpu vendor_id')}`];
}

function cpuFeatures(ctx: BuildCtx): string[] {
  const out: string[] = [];
  for (const f of ctx.def.cpu?.feature ?? []) {
    const on = f.policy === 'force' || f.policy === 'require' || f.policy === 'optional';
    // QEMU's canonical name where libvirt spells it otherwise (lahf_lm -> lahf-lm), as libvirt writes it.
    out.push(`${escapeOptValue(qemuFeatureName(f.name), 'cpu feature')}=${on ? 'on' : 'off'}`);
  }
  const feat = ctx.def.features;
  if (feat?.apic?.eoi !== undefined) out.push(`kvm-pv-eoi=${feat.apic.eoi ? 'on' : 'off'}`);
  if (feat?.pvspinlock?.state !== undefined) out.push(`kvm-pv-unhalt=${feat.pvspinlock.state ? 'on' : 'off'}`);
  const hv = feat?.hyperv;
  if (hv !== undefined) {
    if (hv.mode === 'passthrough') out.push('hv-passthrough=on');
    for (const [key, name] of HYPERV) {
      const e = (hv as Record<string, { state?: boolean; retries?: number; value?: string; direct?: { state: boolean } } | undefined>)[key];
      if (e === undefined || e.state !== true) continue;
      const since = HYPERV_SINCE[name];
      if (since && !ctx.caps.atLeast(since[0], since[1])) throw unsupported(`/domain/features/hyperv/${key}: the enlightenment '${name}'`, ctx.caps);
      if (key === 'spinlocks') out.push(`${name}=0x${(e.retries ?? 0x1fff).toString(16)}`);
      else if (key === 'vendor_id') out.push(`${name}=${escapeOptValue(e.value ?? '', 'hyperv vendor_id')}`);
      else {
        out.push(`${name}=on`);
        if (key === 'stimer' && e.direct?.state === true) out.push('hv-stimer-direct=on');
      }
    }
  }
  const kvm = feat?.kvm;
  if (kvm?.hidden?.state === true) out.push('kvm=off');
  if (kvm?.['hint-dedicated']?.state !== undefined) out.push(`kvm-hint-dedicated=${kvm['hint-dedicated'].state ? 'on' : 'off'}`);
  if (kvm?.['poll-control']?.state !== undefined) out.push(`kvm-poll-control=${kvm['poll-control'].state ? 'on' : 'off'}`);
  if (kvm?.['pv-ipi']?.state === false) out.push('kvm-pv-ipi=off');
  if (feat?.pmu?.state !== undefined) out.push(`pmu=${feat.pmu.state ? 'on' : 'off'}`);
  return out;
}

export function buildCpu(ctx: BuildCtx): void {
  push(ctx, '-cpu', [...cpuModel(ctx), ...vendor(ctx), ...cpuFeatures(ctx)].join(','));
}

export function buildSmp(ctx: BuildCtx): void {
  const max = ctx.def.vcpu?.value ?? 1;
  // The enabled vCPUs that are not hotpluggable; the driver plugs the other enabled ones before the guest runs.
  const boot = smpVcpus(ctx.def);
  const parts = [String(boot)];
  if (boot < max) parts.push(`maxcpus=${max}`);
  const t = ctx.def.cpu?.topology;
  if (t !== undefined) {
    const dies = t.dies ?? 1;
    const clusters = t.clusters ?? 1;
    if (t.sockets * dies * clusters * t.cores * t.threads !== max) {
      throw new VirtkitError('XML_CONFLICT', `/domain/cpu/topology: sockets*dies*clusters*cores*threads = ${t.sockets * dies * clusters * t.cores * t.threads}, but <vcpu> is ${max}`);
    }
    parts.push(`sockets=${t.sockets}`);
    // dies (QEMU 4.1) and clusters (QEMU 7.0): written whenever QEMU has them, as libvirt does.
    if (ctx.caps.atLeast(4, 1)) parts.push(`dies=${dies}`);
    else if (dies !== 1) throw unsupported('/domain/cpu/topology/@dies', ctx.caps);
    if (ctx.caps.atLeast(7, 0)) parts.push(`clusters=${clusters}`);
    else if (clusters !== 1) throw unsupported('/domain/cpu/topology/@clusters', ctx.caps);
    parts.push(`cores=${t.cores}`, `threads=${t.threads}`);
  } else {
    parts.push(`sockets=${max}`, 'cores=1', 'threads=1');
  }
  push(ctx, '-smp', parts.join(','));
}

export function buildIothreads(ctx: BuildCtx): void {
  const ids = ctx.def.iothreadids?.iothread;
  if (ids !== undefined && ids.length > 0) {
    for (const t of ids) {
      const o: Record<string, unknown> = { 'qom-type': 'iothread', id: `iothread${t.id}` };
      if (t.thread_pool_min !== undefined) o['thread-pool-min'] = t.thread_pool_min;
      if (t.thread_pool_max !== undefined) o['thread-pool-max'] = t.thread_pool_max;
      push(ctx, '-object', jsonOpt(o));
    }
    return;
  }
  for (let i = 1; i <= (ctx.def.iothreads ?? 0); i++) push(ctx, '-object', jsonOpt({ 'qom-type': 'iothread', id: `iothread${i}` }));
}
