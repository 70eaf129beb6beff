/**
 * The QEMU driver: the daemon's Hypervisor (src/daemon/driver.ts) backed by
 * real QEMU processes. start = plan (prepare + argv) -> spawn (own process
 * group, output to the domain log) -> monitor connected -> console connected
 * -> runtime record -> `cont` unless paused. reattach = runtime record ->
 * same pid and start time -> monitor answers -> resume tracking, else clean.
 * Everything that touches the machine beyond src/host/qemu comes in through
 * QemuDriverDeps, so tests and the composition root choose.
 */
import { mkdir, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { VirtkitError } from '../../core/errors.js';
import { capsView } from '../../core/qemu/argv/index.js';
import type { ArgvCaps } from '../../core/qemu/argv/index.js';
import type { HostNumaTopology } from '../../core/placement/topology.js';
import type { CpuCompareResult } from '../../core/api/types.js';
import type { QemuCaps } from '../../core/qemu/caps.js';
import { checkGuestCpu, expandHostModel } from '../../core/qemu/cpu-model/index.js';
import { cpuBaseline, cpuCompare } from './cpu-queries.js';
import { formatCapabilitiesXml, formatDomainCapabilitiesXml } from '../../core/qemu/host-caps/index.js';
import { initialTracker, stateFromQueryStatus } from '../../core/qemu/lifecycle.js';
import type { RunState } from '../../core/qemu/lifecycle.js';
import { SerialConsole } from '../../host/qemu/console.js';
import type { HostMemoryFacts } from '../../host/memory-facts.js';
import { mountHugetlbfs, type HugetlbfsMounter } from '../../host/hugetlbfs.js';
import { prepareHugepages } from './hugepages.js';
import { dropMissingNics } from './net-reconcile.js';
import { kvmUnavailableError } from '../../host/qemu/kvm-probe.js';
import { isSameProcess, spawnQemu, waitForMonitor } from '../../host/qemu/process.js';
import { createRuntimeDir, readRuntimeRecord, removeRuntimeDir, writeRuntimeRecord } from '../../host/qemu/runtime.js';
import type { QemuRuntimeRecord } from '../../host/qemu/runtime.js';
import type { DomainDef } from '../domain-xml.js';
import type {
  CpuQuery, DomainCapsQuery, HostDescription, Hypervisor, HypervisorVersion, NativeArgv, RunningDomain, StartOptions,
} from '../driver.js';
import type { DomainRuntimePaths } from '../paths.js';
import type { DomainStatus } from '../store/types.js';
import type { Prepare } from './launch-plan.js';
import { planLaunchPrepared, planNative, policyOf, toCoreDef } from './launch-plan.js';
import { PortAllocator } from '../../host/net/ports.js';
import { SysNet } from '../../host/net/link-view.js';
import { Links } from '../../host/net/links.js';
import { planTaps, setSourceBridges, setTapNames } from './net-plan.js';
import { openMacvtap } from '../../host/net/macvtap.js';
import { macvtapFdNumbers, planMacvtaps } from './net-macvtap.js';
import type { Ovs } from '../../host/net/ovs.js';
import { DomainTaps, TapNamer } from './net-taps.js';
import type { NetworkResolver, TapDeps } from './net-taps.js';
import { writeDiskKeys } from './disk-keys.js';
import { probeRbdDisks } from './rbd-probe.js';
import { removeKeyFile } from '../../host/key-files.js';
import { pretendRuntimePaths } from './pretend-paths.js';
import type { Monitor, MonitorConnector } from './monitor.js';
import { QemuDomain } from './running.js';
import { liveSettingSteps, refuseUnapplied } from './live-settings.js';
import { applyTuning, removeTuning } from './tuning.js';
import type { TuningHost } from './tuning.js';
import { plugStartupVcpus } from './vcpu-hotplug.js';
import type { DomainDef as CoreDomainDef } from '../../core/xml/domain/index.js';

/** Carries out the run-time settings (live-settings.ts) over QMP; a failure names the element. */
async function applyLiveSettings(monitor: Monitor, def: CoreDomainDef): Promise<void> {
  for (const step of liveSettingSteps(def)) {
    try {
      await monitor.execute(step.command, step.args);
    } catch (e) {
      throw new VirtkitError('QEMU_FAILED', `${step.path}: cannot apply it with ${step.command}: ${(e as Error).message}`, { cause: e });
    }
  }
}

export interface KvmVerdict {
  readonly usable: boolean;
  /** Why not, in words that fit "on this host <reason>". */
  readonly reason?: string;
}

export interface QemuDriverDeps {
  /** QEMU's capabilities (probed once and cached by the provider). */
  readonly caps: () => Promise<ArgvCaps>;
  /** The whole probed record, for capabilities and domcapabilities (absent: those are refused). */
  readonly fullCaps?: () => Promise<QemuCaps>;
  readonly prepare: Prepare;
  /** Whether KVM really runs guests here (cached by the provider). */
  readonly kvm: () => Promise<KvmVerdict>;
  /** Host facts for domxml-to-native's pretend run: hugetlbfs mounts, NUMA nodes. */
  readonly hostFacts: () => Promise<HostMemoryFacts>;
  /** The host's NUMA nodes and their huge page pools, for the pre-start check of <hugepages> (hugepages.ts). */
  readonly hostTopology: () => Promise<HostNumaTopology>;
  /** Mounts a hugetlbfs where a domain needs a page size the host has no mount of (default: host/hugetlbfs.ts). */
  readonly mountHugetlbfs?: HugetlbfsMounter;
  readonly connectMonitor: MonitorConnector;
  /** Overrides the binary (default: the domain's <emulator>, else the caps' binary). */
  readonly binary?: string;
  readonly procRoot?: string;
  /** How long destroy waits after SIGTERM before SIGKILL (libvirt: 10 s). */
  readonly termTimeoutMs?: number;
  readonly monitorTimeoutMs?: number;
  /** How long a disk detach waits for the guest to release the device (libvirt: 5 s; TCG guests are slower). */
  readonly unplugTimeoutMs?: number;
  readonly warn?: (message: string) => void;
  readonly now?: () => Date;
  /** Host links for the taps the driver makes (default: iproute2 in the daemon's namespace). */
  readonly links?: Links;
  /** A virtual network's bridge, for type='network' interfaces; absent: they are refused at start. */
  readonly resolveNetwork?: NetworkResolver;
  /** Open vSwitch (its ovsdb socket), for interfaces with <virtualport type='openvswitch'>; absent: they are refused at start. */
  readonly ovs?: Ovs;
  /** The cgroup hierarchy for <cputune> shares/bandwidth and <numatune> (default /sys/fs/cgroup; docs/tuning.md). */
  readonly cgroupRoot?: string;
}

export class QemuHypervisor implements Hypervisor {
  readonly name = 'QEMU';
  readonly #procRoot: string;
  readonly #tapDeps: TapDeps;
  /** VNC ports (libvirt's range: 5900-65535). */
  readonly #vncPorts = new PortAllocator(5900, 65535, 'VNC');

  constructor(private readonly deps: QemuDriverDeps) {
    this.#procRoot = deps.procRoot ?? '/proc';
    // Procfs and sysfs answer for the daemon's own namespace only: not for injected Links (a netns, a fake ip).
    // Taps are made and set up through an ip started ahead of time (host/net/ip-warm.ts): no process start on an attach's way.
    this.#tapDeps = { links: deps.links ?? new Links({ warm: true }), ...(deps.links === undefined ? { sysNet: new SysNet() } : {}), namer: new TapNamer(), resolveNetwork: deps.resolveNetwork, ...(deps.ovs === undefined ? {} : { ovs: deps.ovs }) };
  }

  /** Removes the taps an earlier run recorded in `runDir` (QEMU is gone), warning about any left. */
  #tuningHost(): TuningHost {
    return { procRoot: this.#procRoot, ...(this.deps.cgroupRoot === undefined ? {} : { cgroupRoot: this.deps.cgroupRoot }) };
  }

  async #removeRecordedTaps(name: string, runDir: string): Promise<void> {
    const failed = await (await DomainTaps.load(runDir, this.#tapDeps)).removeAll();
    if (failed.length > 0) this.#warn(`domain '${name}': cannot remove its taps: ${failed.join('; ')}`);
  }

  async version(): Promise<HypervisorVersion> {
    const v = (await this.deps.caps()).version;
    return { name: 'QEMU', version: `${v.major}.${v.minor}.${v.micro}` };
  }

  /**
   * What one running domain's disk and NIC hotplug use. Its capabilities are looked up once (`known`: those it
   * started with): the process runs the binary it was started from, so they do not change (a lookup checks the
   * binary and its modules each time); a failed lookup is retried at the next attach.
   */
  #hotplugParts(known?: ArgvCaps): { caps: () => Promise<ArgvCaps>; prepare: Prepare; unplugTimeoutMs: number } {
    let memo = known === undefined ? undefined : Promise.resolve(known);
    const caps = (): Promise<ArgvCaps> => {
      if (memo === undefined) {
        const lookup = this.deps.caps();
        memo = lookup;
        lookup.catch(() => { if (memo === lookup) memo = undefined; });
      }
      return memo;
    };
    return { caps, prepare: this.deps.prepare, unplugTimeoutMs: this.deps.unplugTimeoutMs ?? 30_000 };
  }

  /** The argv's capabilities and, where this driver has it, the whole record they are a view of: one lookup for both. */
  async #caps(): Promise<{ caps: ArgvCaps; full?: QemuCaps }> {
    if (this.deps.fullCaps === undefined) return { caps: await this.deps.caps() };
    const full = await this.deps.fullCaps();
    return { caps: capsView(full), full };
  }

  #warn(message: string): void {
    (this.deps.warn ?? (() => undefined))(message);
  }

  async nativeArgv(def: DomainDef, paths: DomainRuntimePaths): Promise<NativeArgv> {
    const [{ caps, full }, host] = await Promise.all([this.#caps(), this.deps.hostFacts()]);
    // host-model is shown expanded, as start would run it (not checked: libvirt's domxml-to-native does not either).
    const prepare: Prepare = full === undefined ? this.deps.prepare : (d) => expandHostModel(this.deps.prepare(d), full);
    const argv = planNative(def, prepare, caps, paths, this.deps.binary, (prepared) => pretendRuntimePaths(prepared, host));
    return { binary: argv.binary, args: argv.args, env: argv.env };
  }

  async #fullCaps(): Promise<QemuCaps> {
    if (this.deps.fullCaps === undefined) throw new VirtkitError('UNSUPPORTED_OPERATION', 'this QEMU driver was set up without its capabilities record');
    return this.deps.fullCaps();
  }

  async capabilitiesXml(host: HostDescription): Promise<string> {
    const [caps, kvm] = await Promise.all([this.#fullCaps(), this.deps.kvm()]);
    return formatCapabilitiesXml({ host, caps, kvmUsable: kvm.usable, emulator: caps.binary });
  }

  async cpuModelNames(arch: string): Promise<string[]> {
    const caps = await this.#fullCaps();
    // the QEMU driver runs x86_64 guests only (the capabilities' <guest> says so too)
    if (arch !== 'x86_64') throw new VirtkitError('INVALID_ARGUMENT', `no CPU models for architecture '${arch}': this daemon's QEMU (${caps.binary}) runs x86_64 guests`, { details: { arch } });
    // query-cpu-definitions of the probed QEMU, from the capabilities cache
    return caps.cpuModels.map((m) => m.name);
  }

  async cpuCompare(q: CpuQuery): Promise<CpuCompareResult> {
    return cpuCompare(q, await this.#fullCaps(), this.deps.kvm);
  }

  async cpuBaseline(q: CpuQuery & { readonly features?: boolean }): Promise<string> {
    return cpuBaseline(q, await this.#fullCaps(), this.deps.kvm);
  }

  async domainCapabilitiesXml(q: DomainCapsQuery): Promise<string> {
    const [caps, kvm] = await Promise.all([this.#fullCaps(), this.deps.kvm()]);
    if (q.emulator !== undefined && q.emulator !== caps.binary) {
      throw new VirtkitError('INVALID_ARGUMENT', `no capabilities for emulator '${q.emulator}': this daemon runs '${caps.binary}'`);
    }
    // No UEFI firmware files are listed: pflash firmware is not supported yet (see domain-capabilities.ts).
    return formatDomainCapabilitiesXml({
      caps, emulator: caps.binary, kvmUsable: kvm.usable, ...(kvm.reason === undefined ? {} : { kvmReason: kvm.reason }),
      arch: q.arch, machine: q.machine, virttype: q.virttype,
    });
  }

  /**
   * The guest CPU as it will run (docs/cpu-models.md): host-model expanded to a named model and
   * features (the live XML shows them, as libvirt 9's does), and a CPU the accelerator cannot
   * provide refused (CPU_INCOMPATIBLE) before the host is touched.
   */
  #guestCpu(def: CoreDomainDef, full: QemuCaps | undefined): CoreDomainDef {
    if (full === undefined) return def;
    const expanded = expandHostModel(def, full);
    checkGuestCpu(expanded, full);
    return expanded;
  }

  async start(def: DomainDef, paths: DomainRuntimePaths, opts: StartOptions): Promise<RunningDomain> {
    refuseUnapplied(toCoreDef(def));
    if (def.type === 'kvm') {
      const kvm = await this.deps.kvm();
      if (!kvm.usable) throw kvmUnavailableError(kvm.reason ?? 'KVM does not run guests');
    }
    const { caps, full } = await this.#caps();
    const prepared = this.#guestCpu(this.deps.prepare(toCoreDef(def)), full);
    const tapPlans = planTaps(prepared);
    const macvtapPlans = planMacvtaps(prepared);
    // The fds QEMU will see for the macvtaps (3, 4, ...): known before any is opened.
    const macvtapFds = macvtapFdNumbers(macvtapPlans);
    // Huge pages: enough free on the right nodes (HUGEPAGES_INSUFFICIENT otherwise), and a hugetlbfs
    // mount per page size (this instance's own, mounted now, where the host has none). QEMU makes
    // (and at once unlinks) its memory file on the mount itself.
    const hugepages = await prepareHugepages(prepared, {
      facts: this.deps.hostFacts, topology: this.deps.hostTopology, mount: this.deps.mountHugetlbfs ?? mountHugetlbfs,
    }, paths.hugepagesRoot);
    // VNC autoport: a free port from 5900 up on the listen address, held until QEMU exits; the live XML shows it.
    const graphicsPorts = await this.#allocateGraphicsPorts(prepared);
    const releasePorts = (): void => { for (const p of graphicsPorts.held) this.#vncPorts.release(p); };
    const run = {
      taps: macvtapFds, graphicsPorts: graphicsPorts.ports,
      ...(hugepages === undefined ? {} : { hugepages }),
    };
    // What QEMU cannot run is refused before the host is touched: the command line of a copy
    // whose taps have names yet to be made (a name only ever goes into ifname=).
    const check = structuredClone(prepared);
    setTapNames(check, Object.fromEntries(tapPlans.map((t) => [t.alias, t.name ?? 'vnet0'])));
    try {
      planLaunchPrepared(check, caps, paths, this.deps.binary, run);
      // rbd disks are opened with the rbd tool first: a refused key fails here, bounded (rbd-probe.ts).
      await probeRbdDisks(prepared.devices?.disk ?? [], opts.diskKeys, (m) => this.#warn(m));
      // Taps of a run that nobody cleaned (a crash before re-attach could): its record is in the old runtime dir.
      await this.#removeRecordedTaps(def.name, paths.runDir);
      await createRuntimeDir(paths.runDir);
    } catch (e) {
      releasePorts();
      throw e;
    }
    const taps = DomainTaps.empty(paths.runDir, this.#tapDeps);
    const undo = async (): Promise<void> => {
      releasePorts();
      const failed = await taps.removeAll();
      if (failed.length > 0) this.#warn(`domain '${def.name}': cannot remove its taps: ${failed.join('; ')}`);
      await removeRuntimeDir(paths.runDir);
    };
    let plan: ReturnType<typeof planLaunchPrepared>;
    // The macvtaps' char devices, open until QEMU has its copies (or the start fails).
    const macvtapHandles: FileHandle[] = [];
    const closeMacvtaps = (): Promise<unknown> => Promise.all(macvtapHandles.splice(0).map((fh) => fh.close().catch(() => undefined)));
    try {
      for (const t of tapPlans) await taps.plug(t);
      for (const m of macvtapPlans) {
        const { index } = await taps.plugMacvtap(m);
        macvtapHandles.push(...(await openMacvtap(index, m.queues)));
      }
      setTapNames(prepared, taps.names());
      setSourceBridges(prepared, taps.bridges());
      plan = planLaunchPrepared(prepared, caps, paths, this.deps.binary, run);
      await Promise.all([mkdir(dirname(paths.logFile), { recursive: true, mode: 0o700 }), mkdir(paths.libDir, { recursive: true, mode: 0o700 })]);
    } catch (e) {
      await closeMacvtaps();
      await undo();
      throw e;
    }
    const now = this.deps.now ?? (() => new Date());
    // LUKS keys: 0600 files in the private run dir, read by QEMU's secret objects at start-up and
    // removed as soon as the monitor answers (QEMU has created its objects by then).
    const keyFiles = await writeDiskKeys(plan.prepared, paths.runDir, opts.diskKeys).catch(async (e: unknown) => {
      await closeMacvtaps();
      await undo();
      throw e;
    });
    const proc = await spawnQemu({
      binary: plan.argv.binary, args: plan.argv.args, env: plan.argv.env, logFile: paths.logFile,
      pidFile: `${paths.runDir}/qemu.pid`, procRoot: this.#procRoot, now, passFds: macvtapHandles.map((fh) => fh.fd),
    }).finally(closeMacvtaps).catch(async (e: unknown) => {
      await undo();
      throw e;
    });
    void proc.exited.finally(releasePorts);
    let monitor: Monitor | undefined;
    let console: SerialConsole | undefined;
    try {
      monitor = await waitForMonitor(proc, paths.logFile, (signal) =>
        this.deps.connectMonitor(paths.qmpSocket, { retry: true, signal, timeoutMs: this.deps.monitorTimeoutMs ?? 30_000 }));
      await Promise.all(keyFiles.map(removeKeyFile));
      if (plan.consoleSocket !== undefined) console = await SerialConsole.connect(plan.consoleSocket);
      await plugStartupVcpus(monitor, plan.prepared);
      // While the vCPUs are still stopped (-S), as libvirt does: the guest never sees them otherwise.
      await applyTuning(monitor, plan.prepared, proc.pid, this.#tuningHost());
      await applyLiveSettings(monitor, plan.prepared);
      const record: QemuRuntimeRecord = {
        version: 1, pid: proc.pid, startTicks: proc.startTicks, qmpSocket: paths.qmpSocket, consoleSocket: plan.consoleSocket,
        logFile: paths.logFile, binary: plan.argv.binary, args: plan.argv.args, startedAt: now().toISOString(),
        policy: plan.policy, noReboot: plan.noReboot,
      };
      await writeRuntimeRecord(paths.runDir, record);
      let tracker = initialTracker(plan.policy);
      if (opts.paused) tracker = initialTracker(plan.policy, { state: 'paused', reason: 'user' });
      const dom = new QemuDomain({
        record, monitor, console, child: proc.child, childExited: proc.exited, tracker, liveDef: plan.liveDef, paths,
        aliases: plan.aliases, procRoot: this.#procRoot, taps,
        termTimeoutMs: this.deps.termTimeoutMs ?? 10_000, warn: (m) => this.#warn(m), ...this.#hotplugParts(caps),
        tuning: this.#tuningHost(),
      });
      if (!opts.paused) await dom.resume();
      return dom;
    } catch (e) {
      console?.close();
      monitor?.close();
      proc.child.kill('SIGKILL');
      await proc.exited;
      await removeTuning(proc.pid, this.#tuningHost()).catch(() => undefined);
      await undo();
      throw e;
    }
  }

  /** Ports for the graphics with autoport (port -1 or none), written into `def` as the live XML shows them. */
  async #allocateGraphicsPorts(def: CoreDomainDef): Promise<{ ports: number[]; held: number[] }> {
    const held: number[] = [];
    const ports: number[] = [];
    try {
      for (const g of def.devices?.graphics ?? []) {
        const auto = g.type === 'vnc' && g.socket === undefined && g.listens?.[0]?.type !== 'socket' &&
          (g.autoport === true || g.port === undefined || g.port === -1);
        if (!auto) {
          ports.push(g.port ?? -1);
          continue;
        }
        const port = await this.#vncPorts.allocate(g.listens?.[0]?.address ?? g.listen ?? '127.0.0.1');
        held.push(port);
        ports.push(port);
        g.port = port;
        g.autoport = true;
      }
    } catch (e) {
      for (const p of held) this.#vncPorts.release(p);
      throw e;
    }
    return { ports, held };
  }

  async reattach(def: DomainDef, status: DomainStatus, paths: DomainRuntimePaths): Promise<RunningDomain | undefined> {
    const record = await readRuntimeRecord(paths.runDir);
    if (record === undefined || !(await isSameProcess(record.pid, record.startTicks, this.#procRoot))) {
      await this.#removeRecordedTaps(def.name, paths.runDir);
      await removeRuntimeDir(paths.runDir);
      return undefined;
    }
    let monitor: Monitor;
    try {
      monitor = await this.deps.connectMonitor(record.qmpSocket, { timeoutMs: 5_000 });
    } catch (e) {
      // Still alive, monitor silent: leave it alone and say why it cannot be managed.
      if (await isSameProcess(record.pid, record.startTicks, this.#procRoot)) {
        throw new VirtkitError('QEMU_FAILED', `QEMU ${record.pid} of domain '${def.name}' runs but its monitor ${record.qmpSocket} does not answer: ${(e as Error).message}`, { cause: e });
      }
      await this.#removeRecordedTaps(def.name, paths.runDir);
      await removeRuntimeDir(paths.runDir);
      return undefined;
    }
    const q = (await monitor.execute('query-status')) as { status: string; running: boolean };
    const seen = stateFromQueryStatus(q.status, q.running);
    // Keep the recorded reason when the recorded state still holds (running/booted stays booted).
    const state: RunState = status.state === seen.state ? ({ state: status.state, reason: status.reason } as RunState) : seen;
    const tracker = initialTracker(record.policy ?? policyOf(toCoreDef(def)), state);
    let consoleLost: string | undefined;
    const console = record.consoleSocket === undefined ? undefined : await SerialConsole.connect(record.consoleSocket, 1_000).catch((e: unknown) => {
      // The guest runs on; only `virtkit console` is lost (QEMU accepts one client, which may be a stale one).
      consoleLost = `cannot reconnect to its serial console ${record.consoleSocket}: ${(e as Error).message}`;
      this.#warn(`domain '${def.name}': ${consoleLost}`);
      return undefined;
    });
    // Idempotent; a daemon that stopped between spawn and `cont` may not have applied them.
    await applyLiveSettings(monitor, toCoreDef(def)).catch((e: unknown) => {
      this.#warn(`domain '${def.name}': cannot re-apply its run-time settings: ${(e as Error).message}`);
    });
    const taps = await DomainTaps.load(paths.runDir, this.#tapDeps);
    const liveDef = await dropMissingNics(monitor, def, taps, (m) => this.#warn(`domain '${def.name}': ${m}`));
    const dom = new QemuDomain({
      record, monitor, console, ...(consoleLost === undefined ? {} : { consoleLost }), child: undefined, childExited: undefined, tracker, liveDef, paths,
      aliases: status.aliases, procRoot: this.#procRoot,
      taps,
      termTimeoutMs: this.deps.termTimeoutMs ?? 10_000, warn: (m) => this.#warn(m), ...this.#hotplugParts(),
      tuning: this.#tuningHost(),
    });
    // What happened while nobody watched: a guest that powered off or panicked waits, paused, for its action.
    // Replayed after the engine has subscribed (it does so as soon as this resolves).
    if (q.status === 'shutdown') setTimeout(() => dom.replay({ type: 'qmp', event: 'SHUTDOWN', data: { guest: true, reason: 'guest-shutdown' } }), 0);
    if (q.status === 'guest-panicked') setTimeout(() => dom.replay({ type: 'qmp', event: 'GUEST_PANICKED', data: {} }), 0);
    return dom;
  }
}
