/**
 * Asks a QEMU binary what it can do: one throwaway QEMU (-machine none, TCG,
 * paused, no devices), a fixed list of QMP questions, a QemuCaps built from
 * the answers (src/core/qemu/caps-build.ts). ~0.3 s on QEMU 7.2 here. Each CPU
 * model is expanded (query-cpu-model-expansion static) under TCG, so 'max' says what
 * TCG offers. Where /dev/kvm opens, a second QEMU under KVM runs alongside
 * (probe-kvm-cpu.ts): its 'host' expansion and unavailable-features are the caps'
 * `kvm` part (what host-model and named models mean under KVM; src/core/qemu/cpu-model/).
 *
 * getQemuCaps adds two caches: a JSON file per binary in cacheDir, keyed by
 * the binary's real path, size, mtime and ctime (an upgraded QEMU is a new
 * key) and by the files in its module directory with their sizes and mtimes
 * (installing or removing qemu-system-gui or qemu-block-extra is a new key:
 * see modules.ts) and by whether /dev/kvm opens, with the kernel release when
 * it does (KVM's offer depends on both), and an in-process memo under the same key. A corrupt or
 * stale-format file is re-probed.
 */
import { buildQemuCaps, expandableCpuModels, PROBED_DEVICE_TYPES } from '../../core/qemu/caps-build.js';
import type { CapsReplies } from '../../core/qemu/caps-build.js';
import { buildKvmCpu, withKvmCpu } from '../../core/qemu/caps-kvm.js';
import { parseQemuCaps, QEMU_CAPS_FORMAT } from '../../core/qemu/caps-schema.js';
import type { QemuCaps } from '../../core/qemu/caps-schema.js';
import type { QmpCpuModelExpansion, QmpObjectPropertyInfo } from '../../core/qemu/qmp/command-types.js';
import { qmpErrorClass } from '../../core/qemu/qmp/errors.js';
import type { QmpConnection } from '../qmp/connection.js';
import { binaryIdentity, resolveBinary } from './binary.js';
import type { BinaryIdentity } from './binary.js';
import { cacheFile, cacheKey, readJsonCache, writeJsonCache } from './json-cache.js';
import { deviceProblem, kernelRelease } from './kvm-probe.js';
import type { KvmDeviceProblem } from './kvm-probe.js';
import { defaultModuleDir, moduleDirState } from './modules.js';
import type { ModuleDirState } from './modules.js';
import { probeKvmCpu } from './probe-kvm-cpu.js';
import { withScratchQemu } from './scratch-qemu.js';

export const PROBE_ARGS: readonly string[] = ['-machine', 'none', '-accel', 'tcg', '-nodefaults', '-no-user-config', '-display', 'none', '-S'];

export interface ProbeOptions {
  readonly timeoutMs?: number;
  readonly tmpDir?: string;
  /** Prefix for /dev/kvm (default '/'); without a usable /dev/kvm the caps have no `kvm` part. */
  readonly root?: string;
  /** Whether /dev/kvm opens, when the caller has just checked (lookupQemuCaps, for its key): not checked again. */
  readonly kvmDevice?: { readonly problem: KvmDeviceProblem | undefined };
}

export interface ProbeResult {
  readonly caps: QemuCaps;
  /** The whole probe, both QEMUs (they run at the same time). */
  readonly probeMs: number;
  /** The KVM QEMU alone (0 when none ran). */
  readonly kvmProbeMs: number;
  /** Why the caps have no `kvm` part. */
  readonly kvmReason?: string;
}

async function ask(conn: QmpConnection, binary: string): Promise<CapsReplies> {
  const [version, machines, cpuDefinitions, deviceTypes, accelTypes, objectTypes, schema] = await Promise.all([
    conn.execute('query-version'),
    conn.execute('query-machines'),
    conn.execute('query-cpu-definitions'),
    conn.execute('qom-list-types', { implements: 'device', abstract: false }),
    conn.execute('qom-list-types', { implements: 'accel' }),
    conn.execute('qom-list-types', { implements: 'user-creatable', abstract: false }),
    conn.execute('query-qmp-schema'),
  ]);
  const present = new Set(deviceTypes.map((t) => t.name));
  const deviceProps: Record<string, readonly QmpObjectPropertyInfo[]> = {};
  await Promise.all(PROBED_DEVICE_TYPES.filter((t) => present.has(t)).map(async (typename) => {
    try {
      deviceProps[typename] = await conn.execute('device-list-properties', { typename });
    } catch (err) {
      // Listed as a device yet not introspectable: leave its properties unknown.
      if (qmpErrorClass(err) === undefined) throw err;
    }
  }));
  // Each model's features and what the accelerator offers ('max'): ~1 ms a model.
  const cpuExpansions: Record<string, QmpCpuModelExpansion> = {};
  await Promise.all(expandableCpuModels(cpuDefinitions).map(async (name) => {
    try {
      cpuExpansions[name] = await conn.execute('query-cpu-model-expansion', { type: 'static', model: { name } });
    } catch (err) {
      // 'host' without KVM: not expandable by this accelerator.
      if (qmpErrorClass(err) === undefined) throw err;
    }
  }));
  return { binary, version, machines, cpuDefinitions, cpuExpansions, deviceTypes, accelTypes, objectTypes, deviceProps, schema };
}

/** Probes `binary` (a path, or a name on PATH) now, without the cache. */
export async function probeQemuCaps(binary: string, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const path = await resolveBinary(binary);
  const started = performance.now();
  const kvmProbe = probeKvmCpu(path, opts); // never rejects
  // Both QEMUs are gone (and their temp dirs) before this returns, even when the TCG one fails.
  const [tcgResult, kvm] = await Promise.all([
    withScratchQemu(path, PROBE_ARGS, async (conn) => buildQemuCaps(await ask(conn, path)), opts).then(
      (caps) => ({ caps }), (error: unknown) => ({ error })),
    kvmProbe,
  ]);
  if ('error' in tcgResult) throw tcgResult.error;
  const tcg = tcgResult.caps;
  const caps = withKvmCpu(tcg, kvm.replies === undefined ? undefined : buildKvmCpu(kvm.replies));
  return { caps, probeMs: Math.round(performance.now() - started), kvmProbeMs: kvm.ms, ...(kvm.reason === undefined ? {} : { kvmReason: kvm.reason }) };
}

export interface CapsCacheOptions extends ProbeOptions {
  readonly cacheDir: string;
  /**
   * The directory this QEMU loads its modules from, whose contents are part
   * of the cache key (default: defaultModuleDir of the binary's real path,
   * which is where Debian's QEMU looks). It only names what to watch: QEMU
   * itself still finds its modules where it was built to.
   */
  readonly moduleDir?: string;
}

export interface CapsLookup {
  readonly caps: QemuCaps;
  /** memory: this process had it; cache: read from cacheDir; probe: QEMU was asked now. */
  readonly source: 'memory' | 'cache' | 'probe';
  /** How long the probe that produced these caps took (then or now). */
  readonly probeMs: number;
  readonly file: string;
  /** The module directory state the caps are valid for. */
  readonly modules: ModuleDirState;
}

interface CacheRecord {
  readonly identity: BinaryIdentity;
  readonly modules: ModuleDirState;
  readonly probeMs: number;
  readonly caps: QemuCaps;
}

const memo = new Map<string, Promise<CapsLookup>>();

function fromFile(json: unknown, identity: BinaryIdentity, modules: ModuleDirState): CacheRecord | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const r = json as Partial<Record<keyof CacheRecord, unknown>>;
  // The file name is a hash of both; comparing them too guards against a collision or a hand-edited file.
  if (JSON.stringify(r.identity) !== JSON.stringify(identity) || JSON.stringify(r.modules) !== JSON.stringify(modules)) return undefined;
  if (typeof r.probeMs !== 'number') return undefined;
  try {
    return { identity, modules, probeMs: r.probeMs, caps: parseQemuCaps(r.caps) };
  } catch {
    return undefined;
  }
}

/** The caps of `binary`, from memory, the cache file, or a probe; with where they came from. */
export async function lookupQemuCaps(binary: string, opts: CapsCacheOptions): Promise<CapsLookup> {
  const identity = await binaryIdentity(binary);
  const modules = await moduleDirState(opts.moduleDir ?? defaultModuleDir(identity.realPath));
  // A host that gains or loses /dev/kvm, or boots another kernel, gets KVM's part probed again.
  const root = opts.root ?? '/';
  const problem = await deviceProblem(root);
  const kvm = problem === undefined ? { kernelRelease: await kernelRelease(root) } : false;
  const key = cacheKey({ format: QEMU_CAPS_FORMAT, identity, modules, kvm });
  const file = cacheFile(opts.cacheDir, 'qemu-caps', key);
  const memoKey = `${file}\0${identity.path}`;
  const known = memo.get(memoKey);
  if (known !== undefined) return { ...(await known), source: 'memory' };
  const pending = (async (): Promise<CapsLookup> => {
    const cached = fromFile(await readJsonCache(file), identity, modules);
    if (cached !== undefined) return { caps: cached.caps, source: 'cache', probeMs: cached.probeMs, file, modules };
    const { caps, probeMs } = await probeQemuCaps(identity.path, { ...opts, kvmDevice: { problem } });
    const record: CacheRecord = { identity, modules, probeMs, caps };
    await writeJsonCache(file, opts.cacheDir, record);
    return { caps, source: 'probe', probeMs, file, modules };
  })();
  memo.set(memoKey, pending);
  pending.catch(() => memo.delete(memoKey)); // a failed probe is retried next time
  return pending;
}

/** The caps of `binary` (a name on PATH or a path), cached in `cacheDir` and in this process. */
export async function getQemuCaps(binary: string, opts: CapsCacheOptions): Promise<QemuCaps> {
  return (await lookupQemuCaps(binary, opts)).caps;
}

/** Forgets the in-process memo (tests; a daemon that was told QEMU changed). */
export function clearQemuCapsMemo(): void {
  memo.clear();
}
