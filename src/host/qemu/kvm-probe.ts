/**
 * Does KVM really run guests on this host? /dev/kvm existing is not enough:
 * in some nested setups KVM accepts a guest and then never runs it past
 * real mode (here: the kvm_pvm module, where guests hang). So the probe
 * checks the device, then boots a tiny firmware under `-accel kvm` that
 * must reach 64-bit mode and exit QEMU by itself within ~3 s; it reports
 * how far it got. The guest run is cached in cacheDir (keyed by kernel
 * release and QEMU binary), so its cost is paid once; the device checks
 * are cheap and always redone (a permission can change without a reboot).
 *
 * Injectable: `root` prefixes /dev, /sys and /proc (a test points it at a
 * fake tree), `binary` picks QEMU.
 */
import { constants } from 'node:fs';
import { open, readFile, readdir } from 'node:fs/promises';
import { release } from 'node:os';
import { join } from 'node:path';
import { VirtkitError } from '../../core/errors.js';
import { PROBE_ALL_STAGES, PROBE_EXIT_STATUS } from '../../core/qemu/kvm-probe-rom.js';
import { binaryIdentity } from './binary.js';
import { cacheFile, cacheKey, readJsonCache, writeJsonCache } from './json-cache.js';
import { runProbeGuest } from './probe-guest.js';
import type { ProbeGuestRun } from './probe-guest.js';

export interface KvmProbeOptions {
  /** Default qemu-system-x86_64 (on PATH). */
  readonly binary?: string;
  /** Prefix for /dev, /sys and /proc; default '/'. */
  readonly root?: string;
  /** How long the test guest may take (default 3000 ms; it needs ~50 ms with a working KVM). */
  readonly timeoutMs?: number;
  readonly tmpDir?: string;
}

export interface KvmStatus {
  readonly usable: boolean;
  /** Why not, in words that fit "on this host <reason>". */
  readonly reason?: string;
  /** Which check failed. */
  readonly check?: 'device' | 'access' | 'guest';
  /** kvm_intel, kvm_amd, kvm_pvm... as loaded. */
  readonly modules: readonly string[];
  readonly kernelRelease: string;
  /** Time of the test guest run (0 when it did not run). */
  readonly probeMs: number;
  /** probe: ran now; cache: the guest run was read from cacheDir. */
  readonly source: 'probe' | 'cache';
  /** When the guest run that gave this verdict happened (ISO time; cached results only). */
  readonly probedAt?: string;
}

const STAGE_NAMES: Record<string, string> = { '': 'executed no instruction', R: 'ran real-mode code but never reached 32-bit protected mode', RP: 'reached protected mode but not 64-bit long mode', RPL: 'reached 64-bit mode but did not exit' };

export async function kernelRelease(root: string): Promise<string> {
  const text = await readFile(join(root, 'proc/sys/kernel/osrelease'), 'utf8').catch(() => undefined);
  return text?.trim() || (root === '/' ? release() : 'unknown');
}

async function kvmModules(root: string): Promise<string[]> {
  const names = await readdir(join(root, 'sys/module')).catch(() => [] as string[]);
  return names.filter((n) => n.startsWith('kvm_')).sort();
}

/** Why /dev/kvm does not open read-write. */
export interface KvmDeviceProblem {
  readonly check: 'device' | 'access';
  readonly reason: string;
}

/** The device checks: undefined when /dev/kvm opens read-write, else the reason (also the caps probe's gate for its KVM part). */
export async function deviceProblem(root: string): Promise<KvmDeviceProblem | undefined> {
  const dev = join(root, 'dev/kvm');
  try {
    const fh = await open(dev, constants.O_RDWR);
    await fh.close();
    return undefined;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT') {
      return { check: 'device', reason: `${dev} does not exist (no kvm module loaded, no hardware virtualization, or a container without the device)` };
    }
    const who = typeof process.getuid === 'function' ? ` to uid ${process.getuid()}` : '';
    const why = code === 'EACCES' || code === 'EPERM' ? `is not accessible${who} (add the user to the kvm group)` : `cannot be opened (${(err as Error).message})`;
    return { check: 'access', reason: `${dev} ${why}` };
  }
}

/** Turns a test guest run into a verdict. Exported for tests. */
export function judgeGuestRun(run: ProbeGuestRun, timeoutMs: number, modules: readonly string[]): { usable: boolean; reason?: string } {
  if (run.code === PROBE_EXIT_STATUS && run.stages === PROBE_ALL_STAGES) return { usable: true };
  const mod = modules.length === 0 ? '' : ` (kvm module: ${modules.join(', ')})`;
  if (run.timedOut) {
    const stage = STAGE_NAMES[run.stages] ?? `wrote '${run.stages}'`;
    return { usable: false, reason: `a KVM test guest ${stage} within ${timeoutMs} ms and was killed${mod}` };
  }
  const how = run.signal !== null ? `was killed by ${run.signal}` : `exited with status ${run.code}`;
  const said = run.stderr === '' ? '' : `: ${run.stderr.split('\n').slice(-3).join(' ')}`;
  return { usable: false, reason: `QEMU running a KVM test guest ${how} after stages '${run.stages}'${said}${mod}` };
}

/** Checks KVM now, without the cache. */
export async function probeKvm(opts: KvmProbeOptions = {}): Promise<KvmStatus> {
  const root = opts.root ?? '/';
  const [rel, modules] = await Promise.all([kernelRelease(root), kvmModules(root)]);
  const base = { modules, kernelRelease: rel, source: 'probe' as const };
  const dev = await deviceProblem(root);
  if (dev !== undefined) return { ...base, usable: false, ...dev, probeMs: 0 };
  const timeoutMs = opts.timeoutMs ?? 3_000;
  const binary = (await binaryIdentity(opts.binary ?? 'qemu-system-x86_64')).path;
  const run = await runProbeGuest(binary, 'kvm', { timeoutMs, ...(opts.tmpDir === undefined ? {} : { tmpDir: opts.tmpDir }) });
  const verdict = judgeGuestRun(run, timeoutMs, modules);
  return { ...base, ...verdict, ...(verdict.usable ? {} : { check: 'guest' as const }), probeMs: run.ms };
}

/** As probeKvm, with the guest run's verdict cached in cacheDir per kernel release and QEMU binary. */
export async function getKvmStatus(opts: KvmProbeOptions & { cacheDir: string }): Promise<KvmStatus> {
  const root = opts.root ?? '/';
  const dev = await deviceProblem(root);
  if (dev !== undefined) return probeKvm(opts); // cheap: it stops at the same check
  const [rel, modules, identity] = await Promise.all([kernelRelease(root), kvmModules(root), binaryIdentity(opts.binary ?? 'qemu-system-x86_64')]);
  const file = cacheFile(opts.cacheDir, 'kvm-probe', cacheKey({ v: 1, kernelRelease: rel, modules, identity }));
  const cached = await readJsonCache(file) as Partial<KvmStatus> | undefined;
  if (cached !== undefined && typeof cached.usable === 'boolean' && typeof cached.probeMs === 'number' && cached.kernelRelease === rel) {
    return { ...cached, usable: cached.usable, modules, kernelRelease: rel, probeMs: cached.probeMs, source: 'cache' };
  }
  const status = await probeKvm({ ...opts, binary: identity.path });
  if (status.check !== 'device' && status.check !== 'access') await writeJsonCache(file, opts.cacheDir, { ...status, probedAt: new Date().toISOString() });
  return status;
}

/** The error for a domain that asks for KVM where KVM does not work. */
export function kvmUnavailableError(reason: string): VirtkitError {
  return new VirtkitError(
    'KVM_UNAVAILABLE',
    `domain type 'kvm' needs a working KVM, but on this host ${reason}. Use <domain type='qemu'> (TCG) instead, or fix KVM ` +
      '(load kvm_intel or kvm_amd, enable virtualization in the firmware or nested virtualization in the outer hypervisor, and let this user open /dev/kvm)',
    { details: { reason } },
  );
}
