/**
 * The names the tuning commands share (docs/tuning.md): the NUMA memory modes and schedinfo's
 * parameters, listed once for the XML schema, core's tuning changes, the API schema and the CLI.
 * No imports, so the CLI can take them without loading anything else.
 */

/** <numatune> memory modes, in libvirt's order (virsh numatune --mode takes a name or its index). */
export const NUMA_MODES = ['strict', 'preferred', 'interleave', 'restrictive'] as const;
export type NumaMode = (typeof NUMA_MODES)[number];

/** schedinfo's parameters (virsh names) and the <cputune> element of each. */
export const SCHED_PARAMS = {
  cpu_shares: 'shares',
  vcpu_period: 'period',
  vcpu_quota: 'quota',
  emulator_period: 'emulator_period',
  emulator_quota: 'emulator_quota',
  global_period: 'global_period',
  global_quota: 'global_quota',
  iothread_period: 'iothread_period',
  iothread_quota: 'iothread_quota',
} as const;
export type SchedParam = keyof typeof SCHED_PARAMS;

/** schedinfo's parameter names, in the order virsh prints them. */
export const SCHED_PARAM_NAMES = Object.keys(SCHED_PARAMS) as SchedParam[];
