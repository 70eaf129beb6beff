/**
 * Whether KVM runs guests on this host, decided by the tests on their own, so that a
 * test can check the verdict of src/host/qemu/kvm-probe.ts (or what the daemon makes
 * of it) against something the code under test did not compute:
 *
 * 1. VIRTKIT_EXPECT_KVM=usable|unusable, when set, is the answer;
 * 2. no /dev/kvm, or one this user cannot open read-write: unusable;
 * 3. the kvm_pvm module: unusable (guests hang after real mode there; known of this host);
 * 4. else the test guest (a Linux kernel, unlike the probe's firmware) boots under
 *    `-accel kvm` and must print its ready marker within a generous limit.
 *
 * Memoized per process: step 4 costs a boot.
 */
import { spawn } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { GUEST_APPEND, GUEST_READY_MARKER, ensureTestGuest } from './guest.js';
import { QEMU_BINARY } from './qemu-spawn.js';

export interface KvmExpectation {
  readonly usable: boolean;
  /** How the test knows. */
  readonly why: string;
  /** What the probe's reason must say when unusable (undefined: not predicted). */
  readonly reason?: RegExp;
}

/** Boots the test guest under `accel` and tells whether the ready marker came within `ms`; QEMU is gone when this resolves. */
export async function testGuestBoots(accel: string, ms: number): Promise<boolean> {
  const g = await ensureTestGuest();
  const child = spawn(QEMU_BINARY, [
    '-accel', accel, '-machine', 'pc', '-m', '256', '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
    '-kernel', g.kernel, '-initrd', g.initrd, '-append', GUEST_APPEND, '-serial', 'stdio',
  ], { stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.once('error', () => resolve()); });
  let out = '';
  let timer: NodeJS.Timeout | undefined;
  const booted = await new Promise<boolean>((resolve) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('latin1');
      if (out.includes(GUEST_READY_MARKER)) resolve(true);
    });
    void exited.then(() => resolve(false));
    timer = setTimeout(() => resolve(false), ms);
  });
  clearTimeout(timer);
  child.kill('SIGKILL');
  await exited;
  return booted;
}

async function decide(): Promise<KvmExpectation> {
  const env = process.env['VIRTKIT_EXPECT_KVM'];
  if (env === 'usable' || env === 'unusable') return { usable: env === 'usable', why: `VIRTKIT_EXPECT_KVM=${env}` };
  if (env !== undefined) throw new Error(`VIRTKIT_EXPECT_KVM is '${env}'; use usable or unusable`);
  if (!existsSync('/dev/kvm')) return { usable: false, why: 'no /dev/kvm', reason: /^\/dev\/kvm does not exist/ };
  try {
    await (await open('/dev/kvm', constants.O_RDWR)).close();
  } catch (err) {
    return { usable: false, why: `/dev/kvm: ${(err as Error).message}`, reason: /^\/dev\/kvm (is not accessible|cannot be opened)/ };
  }
  if (existsSync('/sys/module/kvm_pvm')) {
    return {
      usable: false,
      why: 'the kvm_pvm module, under which guests hang after real mode',
      reason: /^a KVM test guest (executed no instruction|ran real-mode code but never reached 32-bit protected mode) within \d+ ms and was killed \(kvm module: kvm_pvm\)$/,
    };
  }
  const boots = await testGuestBoots('kvm', 60_000);
  return { usable: boots, why: boots ? 'the test guest booted under -accel kvm' : 'the test guest did not boot under -accel kvm within 60 s' };
}

let pending: Promise<KvmExpectation> | undefined;

export function expectedKvm(): Promise<KvmExpectation> {
  pending ??= decide();
  return pending;
}

/**
 * Whether the caps probe can ask QEMU under KVM about CPUs (its `kvm` part), decided here:
 * /dev/kvm exists and this user opens it read-write. Unlike expectedKvm no guest runs, so it
 * holds on this host (kvm_pvm) too. VIRTKIT_EXPECT_KVM_CPU=yes|no overrides.
 */
export async function expectedKvmCpuData(): Promise<{ present: boolean; why: string }> {
  const env = process.env['VIRTKIT_EXPECT_KVM_CPU'];
  if (env === 'yes' || env === 'no') return { present: env === 'yes', why: `VIRTKIT_EXPECT_KVM_CPU=${env}` };
  if (env !== undefined) throw new Error(`VIRTKIT_EXPECT_KVM_CPU is '${env}'; use yes or no`);
  try {
    await (await open('/dev/kvm', constants.O_RDWR)).close();
    return { present: true, why: '/dev/kvm opens read-write' };
  } catch (err) {
    return { present: false, why: `/dev/kvm: ${(err as Error).message}` };
  }
}
