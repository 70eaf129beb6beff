/**
 * The QEMU 7.2 caps fixture with the KVM part built from replies captured under KVM on a real
 * host (tests/fixtures/qemu-caps/qemu-7.2.kvm-cpu.json; scripts/capture-qemu-kvm-cpu.mjs): an
 * AMD EPYC under the kvm_pvm module, whose KVM offers a small CPU (no SSE3, no SVM).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseQemuCaps } from '../../src/core/qemu/caps.js';
import type { QemuCaps } from '../../src/core/qemu/caps.js';
import { withKvmCpu, buildKvmCpu } from '../../src/core/qemu/caps-kvm.js';
import type { KvmCpuReplies } from '../../src/core/qemu/caps-kvm.js';
import { qemu72Caps } from '../golden/caps.js';
import { repoRoot } from './paths.js';

const dir = join(repoRoot, 'tests', 'fixtures', 'qemu-caps');

export function kvmCpuReplies(): KvmCpuReplies {
  return (JSON.parse(readFileSync(join(dir, 'qemu-7.2.kvm-cpu.json'), 'utf8')) as { replies: KvmCpuReplies }).replies;
}

/** The caps fixture plus the captured KVM part, through the stored schema as a cache file would go. */
export function kvmCaps(): QemuCaps {
  return parseQemuCaps(JSON.parse(JSON.stringify(withKvmCpu(qemu72Caps(), buildKvmCpu(kvmCpuReplies())))));
}
