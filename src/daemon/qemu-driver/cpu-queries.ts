/**
 * The QEMU driver's answers to virsh's CPU questions (cpu-compare, hypervisor-cpu-compare,
 * cpu-baseline, hypervisor-cpu-baseline) from the probed caps: the offer they are asked
 * against is the host CPU (/proc/cpuinfo, read by the engine) or the accelerator's.
 */
import type { CpuCompareResult } from '../../core/api/types.js';
import { VirtkitError } from '../../core/errors.js';
import type { QemuCaps } from '../../core/qemu/caps.js';
import { acceleratorOffer, baselineCpuXml, compareCpu, extractCpus, hostCpuOffer } from '../../core/qemu/cpu-model/index.js';
import type { CpuOffer } from '../../core/qemu/cpu-model/index.js';
import type { CpuQuery } from '../driver.js';
import type { KvmVerdict } from './driver.js';

async function offerFor(q: CpuQuery, caps: QemuCaps, kvm: () => Promise<KvmVerdict>): Promise<CpuOffer> {
  if (q.against === 'host') {
    const flags = q.hostCpu?.flags;
    if (flags === undefined) throw new VirtkitError('UNSUPPORTED_OPERATION', "the host CPU's features are unknown: /proc/cpuinfo has no x86 flags line");
    return hostCpuOffer(q.hostCpu?.vendor, flags, caps);
  }
  const virttype = q.virttype ?? ((await kvm()).usable ? 'kvm' : 'qemu');
  if (virttype !== 'qemu' && virttype !== 'kvm') throw new VirtkitError('INVALID_ARGUMENT', `unknown virttype '${virttype}': use 'qemu' or 'kvm'`);
  const offer = acceleratorOffer(caps, virttype);
  if (offer === undefined) {
    // No KVM part in the caps: the probe could not ask QEMU under KVM (docs/cpu-models.md).
    const why = (await kvm()).reason;
    throw new VirtkitError('UNSUPPORTED_OPERATION', 'what KVM gives a guest CPU is not known here: the capabilities probe could not ask QEMU under KVM' +
      `${why === undefined ? '' : ` (on this host ${why})`}; use --virttype qemu`, { details: { virttype } });
  }
  return offer;
}

export async function cpuCompare(q: CpuQuery, caps: QemuCaps, kvm: () => Promise<KvmVerdict>): Promise<CpuCompareResult> {
  const [cpu] = extractCpus(q.xml);
  if (cpu === undefined) throw new VirtkitError('INTERNAL_ERROR', 'extractCpus returned no <cpu>');
  const r = compareCpu(cpu, await offerFor(q, caps, kvm), caps);
  return { result: r.result, missing: [...r.missing], ...(r.reason === undefined ? {} : { reason: r.reason }) };
}

export async function cpuBaseline(q: CpuQuery & { readonly features?: boolean }, caps: QemuCaps, kvm: () => Promise<KvmVerdict>): Promise<string> {
  const cpus = extractCpus(q.xml);
  // cpu-baseline works on the given CPUs alone; hypervisor-cpu-baseline keeps to what the accelerator offers.
  const offer = q.against === 'hypervisor' ? await offerFor(q, caps, kvm) : undefined;
  return baselineCpuXml(cpus, caps, { ...(offer === undefined ? {} : { offer }), expandFeatures: q.features === true });
}
