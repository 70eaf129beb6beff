/**
 * The caps probe's KVM part: when /dev/kvm opens read-write, a second scratch QEMU
 * (-machine none -accel kvm, paused, no devices) is asked what libvirt asks its KVM QEMU
 * about CPUs: 'host' expanded (static) and query-cpu-definitions' unavailable-features.
 * No guest runs, so this answers even where a KVM guest would hang (kvm-probe.ts tells
 * whether guests run). Any failure leaves the part out, with the reason.
 */
import type { KvmCpuReplies } from '../../core/qemu/caps-kvm.js';
import type { QmpConnection } from '../qmp/connection.js';
import { deviceProblem } from './kvm-probe.js';
import type { KvmDeviceProblem } from './kvm-probe.js';
import { withScratchQemu } from './scratch-qemu.js';
import type { ScratchQemuOptions } from './scratch-qemu.js';

const KVM_PROBE_ARGS: readonly string[] = ['-machine', 'none', '-accel', 'kvm', '-nodefaults', '-no-user-config', '-display', 'none', '-S'];

export interface KvmCpuProbeOptions extends ScratchQemuOptions {
  /** Prefix for /dev/kvm (default '/'): a test points it at a tree without one. */
  readonly root?: string;
  /** deviceProblem(root)'s answer, when the caller has just asked it (the caps cache does, for its key): not asked again. */
  readonly kvmDevice?: { readonly problem: KvmDeviceProblem | undefined };
}

export interface KvmCpuProbe {
  /** The replies; absent when KVM could not be asked. */
  readonly replies?: KvmCpuReplies;
  /** Why not. */
  readonly reason?: string;
  /** How long the KVM QEMU took (0 when none ran). */
  readonly ms: number;
}

async function ask(conn: QmpConnection): Promise<KvmCpuReplies> {
  const [hostExpansion, cpuDefinitions] = await Promise.all([
    conn.execute('query-cpu-model-expansion', { type: 'static', model: { name: 'host' } }),
    conn.execute('query-cpu-definitions'),
  ]);
  return { hostExpansion, cpuDefinitions };
}

/** Asks `binary` (a resolved path) under KVM; never throws for KVM's sake. */
export async function probeKvmCpu(binary: string, opts: KvmCpuProbeOptions = {}): Promise<KvmCpuProbe> {
  const dev = opts.kvmDevice === undefined ? await deviceProblem(opts.root ?? '/') : opts.kvmDevice.problem;
  if (dev !== undefined) return { reason: dev.reason, ms: 0 };
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  try {
    const replies = await withScratchQemu(binary, KVM_PROBE_ARGS, ask, opts);
    return { replies, ms: ms() };
  } catch (err) {
    // QEMU without the kvm accelerator, KVM refusing to initialise, 'host' not expandable.
    return { reason: `QEMU under KVM did not answer: ${(err as Error).message}`, ms: ms() };
  }
}
