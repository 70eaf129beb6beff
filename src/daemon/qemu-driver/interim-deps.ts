/**
 * TEMPORARY stand-ins for modules other engineers are writing, so that the
 * driver runs real guests today: QEMU capabilities (src/host/qemu/probe-caps),
 * and the KVM probe (src/host/qemu/kvm-probe). Each is replaced in index.ts when its
 * module lands; delete this file then.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ArgvCaps } from '../../core/qemu/argv/index.js';
import type { KvmVerdict } from './driver.js';

type Version = { major: number; minor: number; micro: number };

/** Believes QEMU has everything; only the version is real. */
export function interimCaps(binary = 'qemu-system-x86_64'): () => Promise<ArgvCaps & { version: Version }> {
  let cached: Promise<ArgvCaps & { version: Version }> | undefined;
  return () => {
    cached ??= promisify(execFile)(binary, ['--version']).then(({ stdout }) => {
      const m = /version (\d+)\.(\d+)\.(\d+)/.exec(stdout);
      const version = { major: Number(m?.[1] ?? 0), minor: Number(m?.[2] ?? 0), micro: Number(m?.[3] ?? 0) };
      return {
        binary, version,
        hasMachine: () => true, hasAccel: () => true, hasCpuModel: () => true, hasDevice: () => true,
        deviceHasProp: () => undefined, hasObject: () => true, hasBackend: () => true,
        atLeast: (a: number, b: number) => version.major > a || (version.major === a && version.minor >= b),
      };
    });
    return cached;
  };
}

/** Says KVM is unusable: guests hang under KVM on the machines this was written on. */
export function interimKvm(): () => Promise<KvmVerdict> {
  return () => Promise.resolve({ usable: false, why: 'the KVM probe is not wired in yet' });
}
