/**
 * Guest and host CPU models as libvirt describes them (model + vendor + features), from the
 * probed QEMU capabilities and the host's /proc/cpuinfo flags. Imports core only.
 */
export { decodeCpu } from './decode.js';
export type { DecodedCpu, DecodeOptions } from './decode.js';
export { checkGuestCpu, expandHostModel, hostModelCpu } from './guest.js';
export { acceleratorOffer, cpuModelInfo, cpuModelUsable, hostCpuOffer, namedCpuModels } from './models.js';
export type { CpuModelInfo, CpuOffer } from './models.js';
export { featuresFromLinuxFlags, qemuFeatureName } from './names.js';
export { baselineCpuXml, compareCpu, extractCpus } from './compare.js';
export type { BaselineOptions, CpuComparison, CpuCompareResult, CpuDesc } from './compare.js';
