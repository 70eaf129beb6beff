/**
 * The small bootable test guest (docs/test-guest.md): Debian's cloud kernel and
 * a busybox initramfs, built by scripts/build-test-guest.sh and cached in
 * .cache/test-guest (VIRTKIT_GUEST_DIR overrides). Boot it with
 * `-kernel <kernel> -initrd <initrd> -append GUEST_APPEND`. Its ext4 root disk
 * (scripts/build-test-rootfs.sh, same cache) is mounted with GUEST_ROOT_APPEND.
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

/** Kernel command line switch: a busybox shell on ttyS0 (chrooted into the root disk if one is mounted); see GuestShell. */
export const GUEST_SHELL = 'virtkit.shell=1';

/**
 * Kernel command line switch: eth0, and every NIC hotplugged later, configured by DHCP (busybox udhcpc) in the
 * background; the marker does not wait for the lease. `virtkit.net=static:IP/PREFIX[,GW]` gives eth0 a fixed address.
 */
export const GUEST_NET_DHCP = 'virtkit.net=dhcp';

/** A networked guest with a console shell: DHCP on every NIC (GUEST_NET_DHCP), `hostname` its name if given. */
export const guestNetAppend = (hostname?: string): string =>
  `${GUEST_APPEND} ${GUEST_SHELL} ${GUEST_NET_DHCP}${hostname === undefined ? '' : ` virtkit.hostname=${hostname}`}`;

/** The console line of a lease (or a static address) on `iface`: `virtkit-guest: eth0 got 192.168.x.y/24`; group 1 the address. */
export const leaseLine = (iface = 'eth0'): RegExp => new RegExp(`virtkit-guest: ${iface} got (\\d+\\.\\d+\\.\\d+\\.\\d+)/(\\d+)`);

/** The console line once the NIC `iface` has disappeared from the guest (unplugged). */
export const ifaceGoneLine = (iface: string): string => `virtkit-guest: ${iface} gone`;

/** Boots from the ext4 root disk on /dev/vda (the first virtio disk), runs its /virtkit/run, with a shell on ttyS0. */
export const GUEST_ROOT_APPEND = `${GUEST_APPEND} virtkit.root=/dev/vda ${GUEST_SHELL}`;

/** What /init prints once it has mounted `dev` as the root (`mode`: read-write, or read-only when the disk is). */
export const rootMountedLine = (dev = '/dev/vda', mode = 'read-write'): string => `virtkit-guest: mounted ${dev} (ext4, ${mode}) as the root`;

/** What the power-button action prints once it has unmounted the root disk (the file system is clean). */
export const rootUnmountedLine = (dev = '/dev/vda'): string => `virtkit-guest: unmounted ${dev}`;

const buildScript = join(repoRoot, 'scripts', 'build-test-guest.sh');
const rootfsScript = join(repoRoot, 'scripts', 'build-test-rootfs.sh');
const execFileP = promisify(execFile);
let pending: Promise<TestGuest> | undefined;

async function runScript(script: string): Promise<string> {
  try {
    // A cold build downloads ~30 MB of packages; a cached one takes milliseconds.
    return (await execFileP('bash', [script], { timeout: 600_000, maxBuffer: 16 << 20 })).stdout;
  } catch (err) {
    const stderr = (err as { stderr?: unknown }).stderr;
    throw new Error(`${script} failed; its output:\n${typeof stderr === 'string' ? stderr : ''}`, { cause: err });
  }
}

async function build(): Promise<TestGuest> {
  const stdout = await runScript(buildScript);
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

let pendingRootfs: Promise<string> | undefined;

/**
 * The raw ext4 root image (busybox, /virtkit/run), built unless cached; once per process. It is shared
 * by every test: copy it, or put an overlay on it (`qemu-img create -f qcow2 -b IMG -F raw`), never boot it as is.
 */
export async function ensureTestRootfs(): Promise<string> {
  pendingRootfs ??= runScript(rootfsScript).then((stdout) => {
    const image = stdout.trimEnd().split('\n').at(-1);
    if (image?.endsWith('rootfs.img') !== true) throw new Error(`${rootfsScript} printed no image path:\n${stdout}`);
    return image;
  });
  pendingRootfs.catch(() => { pendingRootfs = undefined; }); // let a later caller retry
  return pendingRootfs;
}

/** A `<disk>` for `guestDomainXml`'s `devices`: a file on virtio (vda, vdb...) in format `format`. */
export function virtioDiskXml(file: string, dev: string, format: 'raw' | 'qcow2' = 'raw'): string {
  return `    <disk type='file' device='disk'>
      <driver name='qemu' type='${format}'/>
      <source file='${file}'/>
      <target dev='${dev}' bus='virtio'/>
    </disk>
`;
}

/**
 * An `<interface>` for `guestDomainXml`'s `devices`: a virtio NIC on the host bridge `bridge` (a tap virtkit makes),
 * with `mac`, and a `<target dev>` or `<driver queues>` when given.
 */
export function bridgeInterfaceXml(bridge: string, mac: string, opts: { target?: string; queues?: number } = {}): string {
  return `    <interface type='bridge'>
      <source bridge='${bridge}'/>
      <mac address='${mac}'/>
${opts.target === undefined ? '' : `      <target dev='${opts.target}'/>\n`}      <model type='virtio'/>
${opts.queues === undefined ? '' : `      <driver queues='${opts.queues}'/>\n`}    </interface>
`;
}

/**
 * Domain XML that boots the test guest under TCG (or `type`) with a serial console and ACPI (for the power button).
 * `append` replaces the kernel command line (e.g. GUEST_APPEND plus `virtkit.panic=1`); `extra` goes before <devices>,
 * `devices` inside it, after the console (e.g. virtioDiskXml).
 */
export async function guestDomainXml(
  name: string,
  opts: { memoryMiB?: number; extra?: string; append?: string; type?: 'qemu' | 'kvm'; devices?: string } = {},
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
${opts.devices ?? ''}  </devices>
</domain>
`;
}
