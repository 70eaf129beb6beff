/**
 * The small bootable test guest (docs/test-guest.md): Debian's cloud kernel and
 * a busybox initramfs, built by scripts/build-test-guest.sh and cached in
 * .cache/test-guest (VIRTKIT_GUEST_DIR overrides). Boot it with
 * `-kernel <kernel> -initrd <initrd> -append GUEST_APPEND`.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './paths.js';

export interface TestGuest {
  kernel: string;
  initrd: string;
}

/** The line the guest prints on ttyS0 once it listens for the ACPI power button. */
export const GUEST_READY_MARKER = 'VIRTKIT-GUEST-READY';

/** Kernel command line for a serial console; add `virtkit.panic=1` to make the guest panic after the marker. */
export const GUEST_APPEND = 'console=ttyS0 quiet';

const buildScript = join(repoRoot, 'scripts', 'build-test-guest.sh');
const execFileP = promisify(execFile);
let pending: Promise<TestGuest> | undefined;

async function build(): Promise<TestGuest> {
  let stdout: string;
  try {
    // A cold build downloads ~30 MB of packages; a cached one takes milliseconds.
    ({ stdout } = await execFileP('bash', [buildScript], { timeout: 600_000, maxBuffer: 16 << 20 }));
  } catch (err) {
    const stderr = (err as { stderr?: unknown }).stderr;
    throw new Error(`${buildScript} failed; its output:\n${typeof stderr === 'string' ? stderr : ''}`, { cause: err });
  }
  // The script ends with two lines: the kernel path, then the initramfs path.
  const [kernel, initrd] = stdout.trimEnd().split('\n').slice(-2);
  if (kernel === undefined || initrd === undefined || !kernel.endsWith('vmlinuz')) {
    throw new Error(`${buildScript} printed no kernel and initramfs paths:\n${stdout}`);
  }
  return { kernel, initrd };
}

/** Builds the test guest unless cached; once per process, later calls share the result. */
export async function ensureTestGuest(): Promise<TestGuest> {
  pending ??= build().catch((err: unknown) => {
    pending = undefined; // let a later caller retry
    throw err;
  });
  return pending;
}

/**
 * Domain XML that boots the test guest under TCG (or `type`) with a serial console and ACPI (for the power button).
 * `append` replaces the kernel command line (e.g. GUEST_APPEND plus `virtkit.panic=1`); `extra` goes before <devices>.
 */
export async function guestDomainXml(
  name: string,
  opts: { memoryMiB?: number; extra?: string; append?: string; type?: 'qemu' | 'kvm' } = {},
): Promise<string> {
  const g = await ensureTestGuest();
  return `<domain type='${opts.type ?? 'qemu'}'>
  <name>${name}</name>
  <memory unit='MiB'>${opts.memoryMiB ?? 256}</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>${g.kernel}</kernel><initrd>${g.initrd}</initrd><cmdline>${opts.append ?? GUEST_APPEND}</cmdline></os>
  <features><acpi/></features>
${opts.extra ?? ''}  <devices>
    <serial type='pty'/>
    <console type='pty'/>
  </devices>
</domain>
`;
}
