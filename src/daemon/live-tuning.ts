/**
 * What a running domain offers the tuning commands (vcpupin, emulatorpin, iothreadpin,
 * schedinfo, numatune with --live): the QEMU driver's tuning.ts implements it.
 */
import type { SchedValues } from '../core/tuning/change.js';
import type { DomainDef } from './domain-xml.js';

export interface LiveTuning {
  /** Applies the <cputune>/<numatune> of `def` (the live definition with one change) to the guest; it becomes the live definition. */
  retune(def: DomainDef): Promise<void>;
  /** The CPU shares and bandwidth as the host applies them now (the domain's cgroup; the kernel's defaults where it has none). */
  sched(): Promise<SchedValues>;
}
