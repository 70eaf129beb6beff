/**
 * CPU feature names in libvirt's spelling (src/cpu_map/x86_features.xml), from QEMU's
 * (query-cpu-model-expansion) and from Linux's (/proc/cpuinfo flags). Pure tables.
 */

/** libvirt <-> QEMU where they differ (libvirt's virQEMUCapsCPUFeaturesX86); every other name is the same. */
const LIBVIRT_TO_QEMU: Readonly<Record<string, string>> = {
  cmp_legacy: 'cmp-legacy',
  ds_cpl: 'ds-cpl',
  fxsr_opt: 'fxsr-opt',
  kvm_pv_eoi: 'kvm-pv-eoi',
  kvm_pv_unhalt: 'kvm-pv-unhalt',
  lahf_lm: 'lahf-lm',
  nodeid_msr: 'nodeid-msr',
  pclmuldq: 'pclmulqdq',
  perfctr_core: 'perfctr-core',
  perfctr_nb: 'perfctr-nb',
  tsc_adjust: 'tsc-adjust',
};
const QEMU_TO_LIBVIRT: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(LIBVIRT_TO_QEMU).map(([l, q]) => [q, l]));

export function libvirtFeatureName(qemu: string): string {
  return QEMU_TO_LIBVIRT[qemu] ?? qemu;
}

export function qemuFeatureName(libvirt: string): string {
  return LIBVIRT_TO_QEMU[libvirt] ?? libvirt;
}

/**
 * Linux flags whose libvirt name is not the flag itself nor the flag with '_' -> '-'
 * (which featuresFromLinuxFlags tries next).
 */
const LINUX_TO_LIBVIRT: Readonly<Record<string, string>> = {
  cr8_legacy: 'cr8legacy',
  pclmulqdq: 'pclmuldq',
  sse4_1: 'sse4.1',
  sse4_2: 'sse4.2',
  tsc_deadline_timer: 'tsc-deadline',
  avx512_bitalg: 'avx512bitalg',
  avx512_vbmi2: 'avx512vbmi2',
  avx512_vnni: 'avx512vnni',
  pausefilter: 'pause-filter',
};

/** Features QEMU knows but never passes (libvirt's virQEMUCapsCPUFilterFeatures). */
const FILTERED = new Set(['cmt', 'mbm_total', 'mbm_local', 'osxsave', 'ospke']);

/**
 * The libvirt names of the host's /proc/cpuinfo flags, keeping only those in `known` (libvirt
 * names of every feature QEMU knows): Linux also prints flags that are no CPUID bit
 * (constant_tsc, rep_good, pti...), which no model lists.
 */
export function featuresFromLinuxFlags(flags: readonly string[], known: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  for (const flag of flags) {
    const name = [LINUX_TO_LIBVIRT[flag], flag, flag.replaceAll('_', '-')].find((n) => n !== undefined && known.has(n));
    if (name !== undefined && !FILTERED.has(name)) out.add(name);
  }
  return [...out].sort();
}

/** libvirt's x86 vendors (cpu_map/x86_vendors.xml) by CPUID vendor string. */
export const CPU_VENDORS: Readonly<Record<string, string>> = { GenuineIntel: 'Intel', AuthenticAMD: 'AMD', HygonGenuine: 'Hygon' };

export function libvirtVendor(cpuid: string | undefined): string | undefined {
  return cpuid === undefined ? undefined : CPU_VENDORS[cpuid] ?? cpuid;
}
