/**
 * /proc/cpuinfo of two x86 hosts, for the host CPU's model and features (src/host/cpuinfo.ts):
 * an AMD EPYC guest of a cloud (captured on this machine: no svm, so no EPYC model fits) and an
 * Intel Kaby Lake laptop (family 6 model 142, bare metal: no 'hypervisor'). Two processors
 * each, as Linux prints them; the reader takes the first.
 */
const processor = (id: number, vendor: string, family: number, model: number, stepping: number, name: string, microcode: string, flags: string): string =>
  `processor\t: ${id}\nvendor_id\t: ${vendor}\ncpu family\t: ${family}\nmodel\t\t: ${model}\nmodel name\t: ${name}\n` +
  `stepping\t: ${stepping}\nmicrocode\t: ${microcode}\ncpu MHz\t\t: 2596.128\nfpu\t\t: yes\nflags\t\t: ${flags}\n\n`;

export const AMD_EPYC_FLAGS =
  'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx ' +
  'mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology nonstop_tsc cpuid extd_apicid tsc_known_freq ' +
  'pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand ' +
  'hypervisor lahf_lm cmp_legacy cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw topoext vmmcall fsgsbase ' +
  'tsc_adjust bmi1 avx2 smep bmi2 erms invpcid avx512f avx512dq rdseed adx smap avx512ifma clflushopt clwb avx512cd ' +
  'sha_ni avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves avx512_bf16 clzero xsaveerptr arat avx512vbmi umip ' +
  'avx512_vbmi2 gfni vaes vpclmulqdq avx512_vnni avx512_bitalg avx512_vpopcntdq rdpid fsrm';

export const INTEL_KABYLAKE_FLAGS =
  'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe ' +
  'syscall nx pdpe1gb rdtscp lm constant_tsc art arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc cpuid aperfmperf ' +
  'pni pclmulqdq dtes64 monitor ds_cpl vmx est tm2 ssse3 sdbg fma cx16 xtpr pdcm pcid sse4_1 sse4_2 x2apic movbe popcnt ' +
  'tsc_deadline_timer aes xsave avx f16c rdrand lahf_lm abm 3dnowprefetch cpuid_fault epb invpcid_single pti ssbd ibrs ibpb ' +
  'stibp tpr_shadow vnmi flexpriority ept vpid ept_ad fsgsbase tsc_adjust bmi1 hle avx2 smep bmi2 erms invpcid rtm mpx ' +
  'rdseed adx smap clflushopt intel_pt xsaveopt xsavec xgetbv1 xsaves dtherm ida arat pln pts hwp hwp_notify ' +
  'hwp_act_window hwp_epp md_clear flush_l1d arch_capabilities';

export const AMD_CPUINFO = [0, 1].map((i) => processor(i, 'AuthenticAMD', 25, 17, 1, 'AMD EPYC', '0x1000065', AMD_EPYC_FLAGS)).join('');
export const INTEL_CPUINFO = [0, 1].map((i) => processor(i, 'GenuineIntel', 6, 142, 10, 'Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz', '0xf0', INTEL_KABYLAKE_FLAGS)).join('');
