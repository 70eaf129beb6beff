/**
 * The KVM part of QemuCaps (QemuKvmCpu) from the replies of a scratch QEMU under KVM
 * (src/host/qemu/probe-caps.ts): libvirt's second probe, whose 'host' expansion is what
 * host-model means under KVM and whose query-cpu-definitions says which named models KVM
 * can run. Pure; sorted so the same replies always give the same JSON.
 */
import { expansionCpu } from './caps-build.js';
import type { QemuCaps, QemuKvmCpu } from './caps-schema.js';
import type { QmpCpuDefinition, QmpCpuModelExpansion } from './qmp/command-types.js';

/** What the KVM probe asks: the same two questions libvirt asks its KVM QEMU about CPUs. */
export interface KvmCpuReplies {
  /** query-cpu-model-expansion type=static model={name: host} */
  readonly hostExpansion: QmpCpuModelExpansion;
  /** query-cpu-definitions */
  readonly cpuDefinitions: readonly QmpCpuDefinition[];
}

export function buildKvmCpu(r: KvmCpuReplies): QemuKvmCpu {
  const unavailableFeatures: Record<string, string[]> = {};
  for (const c of [...r.cpuDefinitions].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const missing = [...new Set(c['unavailable-features'] ?? [])].sort();
    if (missing.length > 0) unavailableFeatures[c.name] = missing;
  }
  return {
    host: expansionCpu(r.hostExpansion),
    unavailableFeatures,
  };
}

/** `caps` with the KVM part set (or removed, when undefined). */
export function withKvmCpu(caps: QemuCaps, kvm: QemuKvmCpu | undefined): QemuCaps {
  const { kvm: _old, ...rest } = caps;
  return kvm === undefined ? rest : { ...rest, kvm };
}
