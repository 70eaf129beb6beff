/**
 * The CPU models of one QEMU as libvirt sees them: each named model's vendor and features
 * (libvirt's names), and what an accelerator offers a guest; all from the probed QemuCaps
 * (query-cpu-model-expansion, src/host/qemu/probe-caps.ts). Pure.
 */
import type { QemuCaps, QemuCpuModel } from '../caps.js';
import { featuresFromLinuxFlags, libvirtFeatureName, libvirtVendor } from './names.js';

export interface CpuModelInfo {
  /** As the domain XML names it ('Skylake-Client', 'EPYC-Rome'). */
  readonly name: string;
  /** libvirt's vendor name (Intel, AMD). */
  readonly vendor?: string;
  readonly features: ReadonlySet<string>;
  readonly deprecated: boolean;
}

/** What a guest CPU can get: its vendor and features (libvirt's names). */
export interface CpuOffer {
  readonly vendor?: string;
  readonly features: ReadonlySet<string>;
  /** Where the offer comes from, for messages: "TCG (QEMU's 'max' CPU)". */
  readonly source: string;
}

const modelIndexes = new WeakMap<QemuCaps, ReadonlyMap<string, QemuCpuModel>>();
const namedModels = new WeakMap<QemuCaps, readonly CpuModelInfo[]>();

function modelIndex(caps: QemuCaps): ReadonlyMap<string, QemuCpuModel> {
  let ix = modelIndexes.get(caps);
  if (ix === undefined) {
    const byName = new Map<string, QemuCpuModel>();
    for (const c of caps.cpuModels) if (!byName.has(c.name)) byName.set(c.name, c);
    ix = byName;
    modelIndexes.set(caps, ix);
  }
  return ix;
}

function modelInfo(caps: QemuCaps, c: QemuCpuModel): CpuModelInfo | undefined {
  // An alias (Skylake-Client -> Skylake-Client-v1) takes its target's expansion.
  const m = c.aliasOf === undefined ? c : modelIndex(caps).get(c.aliasOf);
  if (m?.features === undefined) return undefined;
  const vendor = libvirtVendor(m.vendor);
  const own = c.name === 'max' || c.name === 'host';
  return {
    name: c.name,
    ...(vendor === undefined ? {} : { vendor }),
    features: new Set(m.features.map(libvirtFeatureName).filter((f) => own || f !== 'hypervisor')),
    deprecated: c.deprecated,
  };
}

/**
 * The vendor and features of a model QEMU knows and the probe expanded (undefined otherwise).
 * A named model's features leave out 'hypervisor': QEMU sets it on every guest CPU and
 * libvirt's cpu_map models do not list it, so a bare-metal host still matches them;
 * 'max' and 'host' keep it (a guest's host-model then requires it, as libvirt's does).
 */
export function cpuModelInfo(caps: QemuCaps, name: string): CpuModelInfo | undefined {
  const c = modelIndex(caps).get(name);
  return c === undefined ? undefined : modelInfo(caps, c);
}

/**
 * The models a CPU is described with: QEMU's unversioned names (each an alias of a versioned
 * one), which are libvirt's cpu_map names; not 'max', 'host' or 'base'. Built once per caps.
 */
export function namedCpuModels(caps: QemuCaps): readonly CpuModelInfo[] {
  let models = namedModels.get(caps);
  if (models === undefined) {
    models = caps.cpuModels.filter((c) => c.aliasOf !== undefined)
      .map((c) => modelInfo(caps, c))
      .filter((m): m is CpuModelInfo => m !== undefined);
    namedModels.set(caps, models);
  }
  return models;
}

/** libvirt's names of every CPU feature this QEMU knows. */
export function knownCpuFeatures(caps: QemuCaps): Set<string> {
  return new Set(caps.cpuFeatures.map(libvirtFeatureName));
}

/** What the host CPU has: its /proc/cpuinfo flags that QEMU knows as CPU features (libvirt's names). */
export function hostCpuOffer(vendor: string | undefined, flags: readonly string[], caps: QemuCaps): CpuOffer {
  return { ...(vendor === undefined ? {} : { vendor }), features: new Set(featuresFromLinuxFlags(flags, knownCpuFeatures(caps))), source: 'the host CPU (/proc/cpuinfo)' };
}

/**
 * What the accelerator of a `<domain type>` offers: for 'qemu' (TCG) the features of QEMU's
 * 'max' CPU as the TCG probe expanded it; for 'kvm' those of 'host' expanded under KVM, as
 * libvirt takes them (the caps' `kvm` part). undefined where unknown: KVM when the probe could
 * not ask it (no usable /dev/kvm), and callers refuse what needs it.
 */
export function acceleratorOffer(caps: QemuCaps, virttype: string): CpuOffer | undefined {
  if (virttype === 'kvm') {
    const host = caps.kvm?.host;
    if (host === undefined) return undefined;
    const vendor = libvirtVendor(host.vendor);
    return { ...(vendor === undefined ? {} : { vendor }), features: new Set(host.features.map(libvirtFeatureName)), source: "KVM (QEMU's 'host' CPU under KVM)" };
  }
  if (virttype !== 'qemu') return undefined;
  const max = cpuModelInfo(caps, 'max');
  if (max === undefined) return undefined;
  return { ...(max.vendor === undefined ? {} : { vendor: max.vendor }), features: max.features, source: "TCG (QEMU's 'max' CPU)" };
}

/**
 * Whether a named model runs under the accelerator as is (domcapabilities' usable=): the
 * unavailable-features of the probe under that accelerator are none. undefined: not known.
 */
export function cpuModelUsable(caps: QemuCaps, model: QemuCpuModel, virttype: string): boolean | undefined {
  if (virttype === 'kvm') return caps.kvm === undefined ? undefined : !Object.hasOwn(caps.kvm.unavailableFeatures, model.name);
  return (model.unavailableFeatures ?? []).length === 0;
}
