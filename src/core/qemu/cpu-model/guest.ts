/**
 * The guest's <cpu> against what its accelerator offers, at start (libvirt's
 * qemuProcessUpdateGuestCPU): host-model becomes a named model plus features, as libvirt 9
 * writes it into the live XML; a named model or a required feature the accelerator cannot
 * provide is refused before QEMU runs, naming the missing features. Pure.
 */
import { VirtkitError } from '../../errors.js';
import type { DomainDef } from '../../xml/domain/index.js';
import type { QemuCaps } from '../caps.js';
import { decodeCpu } from './decode.js';
import type { DecodedCpu } from './decode.js';
import { acceleratorOffer, cpuModelInfo, namedCpuModels } from './models.js';
import type { CpuOffer } from './models.js';

type CpuDef = NonNullable<DomainDef['cpu']>;
type CpuFeature = NonNullable<CpuDef['feature']>[number];

/**
 * KVM's paravirtual features (CPUID leaf 0x40000001: kvmclock, kvm-pv-eoi...): 'host' under KVM
 * sets them, no named model does, and QEMU turns them on by itself for any model under KVM;
 * libvirt's host-model does not list them, so neither does the decode.
 */
const isKvmParavirt = (f: string): boolean => f.startsWith('kvm');

/** The host-model CPU of a `<domain type>` (domcapabilities' host-model); undefined when the offer is unknown (KVM not probed). */
export function hostModelCpu(caps: QemuCaps, virttype: string): DecodedCpu | undefined {
  const offer = acceleratorOffer(caps, virttype);
  if (offer === undefined) return undefined;
  const cpu = { ...offer, features: new Set([...offer.features].filter((f) => !isKvmParavirt(f))) };
  return decodeCpu(cpu, namedCpuModels(caps), { allowDisable: true });
}

/** `def` with a host-model <cpu> replaced by the model and features it stands for now; other modes unchanged. */
export function expandHostModel(def: DomainDef, caps: QemuCaps): DomainDef {
  const cpu = def.cpu;
  if (cpu?.mode !== 'host-model') return def;
  const decoded = hostModelCpu(caps, def.type);
  if (decoded === undefined) {
    throw new VirtkitError('QEMU_UNSUPPORTED', `/domain/cpu/@mode: host-model is not supported for <domain type='${def.type}'>: ` +
      (def.type === 'kvm'
        ? 'what KVM offers a guest CPU is unknown (the capabilities probe could not ask QEMU under KVM: no usable /dev/kvm); '
        : 'virtkit knows what QEMU offers under TCG and KVM only; ') +
      "use type='qemu', host-passthrough or a named model");
  }
  // The domain's own features win over the expansion's (libvirt applies them on top).
  const own = new Map((cpu.feature ?? []).map((f) => [f.name, f]));
  const feature: CpuFeature[] = [
    ...decoded.require.filter((n) => !own.has(n)).map((name): CpuFeature => ({ policy: 'require', name })),
    ...decoded.disable.filter((n) => !own.has(n)).map((name): CpuFeature => ({ policy: 'disable', name })),
    ...own.values(),
  ];
  const { migratable: _m, ...rest } = cpu;
  return {
    ...def,
    cpu: {
      ...rest,
      mode: 'custom',
      match: 'exact',
      check: 'full',
      model: { value: decoded.model, fallback: 'forbid' },
      ...(decoded.vendor === undefined ? {} : { vendor: decoded.vendor }),
      ...(feature.length === 0 ? {} : { feature }),
    },
  };
}

/** The features a custom <cpu> needs that `offer` lacks (libvirt's names, sorted); [] when it fits. */
function missingCpuFeatures(cpu: CpuDef | undefined, offer: CpuOffer, caps: QemuCaps): string[] {
  const wanted = new Set<string>();
  const name = cpu?.model?.value;
  if (name !== undefined) for (const f of cpuModelInfo(caps, name)?.features ?? []) wanted.add(f);
  for (const f of cpu?.feature ?? []) {
    if (f.policy === 'require') wanted.add(f.name);
    else if (f.policy === 'disable' || f.policy === 'forbid' || f.policy === 'optional' || f.policy === 'force') wanted.delete(f.name);
  }
  return [...wanted].filter((f) => !offer.features.has(f)).sort();
}

export function cpuIncompatible(missing: readonly string[], offer: CpuOffer): VirtkitError {
  return new VirtkitError('CPU_INCOMPATIBLE',
    `the CPU is incompatible with host CPU: Host CPU does not provide required features: ${missing.join(', ')} ` +
    `(the host CPU here is ${offer.source}; disable them with <feature policy='disable'>, choose an older model, or set <cpu check='none'>)`,
    { details: { missing: [...missing], host: offer.source } });
}

/**
 * Refuses a custom <cpu> its accelerator cannot provide (CPU_INCOMPATIBLE), as libvirt does
 * unless check='none'. Modes other than custom, and accelerators whose offer is unknown (KVM
 * without its probed part: see acceleratorOffer), pass.
 */
export function checkGuestCpu(def: DomainDef, caps: QemuCaps): void {
  const cpu = def.cpu;
  if ((cpu?.mode ?? 'custom') !== 'custom' || cpu?.check === 'none') return;
  const offer = acceleratorOffer(caps, def.type);
  if (offer === undefined) return;
  const missing = missingCpuFeatures(cpu, offer, caps);
  if (missing.length > 0) throw cpuIncompatible(missing, offer);
}
