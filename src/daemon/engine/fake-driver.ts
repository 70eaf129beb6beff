/**
 * A FAKE hypervisor driver, for unit tests of the engine's locking and state
 * logic only (no process, no QMP). Real guests are tested in
 * tests/integration against the real driver. Tests drive it by hand:
 * `gate` holds start() until released, `emit` plays a guest event.
 */
import { PassThrough, type Duplex } from 'node:stream';
import type { DomainDef } from '../domain-xml.js';
import type {
  DetailedStats, DomainStats, DriverEvent, Hypervisor, HypervisorVersion, NativeArgv, RunningDomain, ShutdownMode,
  StartOptions, VcpuInfo,
} from '../driver.js';
import type { DomainRuntimePaths } from '../paths.js';
import type { DomainStatus } from '../store/types.js';

export class FakeRunning implements RunningDomain {
  readonly argv: readonly string[];
  readonly startedAt = new Date(0);
  readonly aliases = { 'fake-disk0': 'disk' };
  readonly calls: string[] = [];
  readonly #listeners: ((e: DriverEvent) => void)[] = [];
  #gone = false;

  constructor(readonly pid: number, readonly qmpSocket: string, readonly liveDef: DomainDef) {
    this.argv = ['fake-qemu', '-name', `guest=${liveDef.name}`];
  }

  onEvent(listener: (e: DriverEvent) => void): void {
    this.#listeners.push(listener);
  }

  emit(e: DriverEvent): void {
    if (e.type === 'stopped') this.#gone = true;
    for (const l of this.#listeners) l(e);
  }

  #call(what: string): Promise<void> {
    this.calls.push(what);
    return this.#gone ? Promise.reject(new Error('fake guest is gone')) : Promise.resolve();
  }

  shutdown(mode: ShutdownMode | undefined): Promise<void> {
    return this.#call(`shutdown:${mode ?? 'default'}`);
  }

  reboot(): Promise<void> {
    return this.#call('reboot');
  }

  reset(): Promise<void> {
    return this.#call('reset');
  }

  async destroy(opts: { graceful: boolean }): Promise<void> {
    await this.#call(`destroy:${opts.graceful}`);
    this.emit({ type: 'stopped', reason: 'shutdown' }); // the engine must still record 'destroyed'
  }

  async suspend(): Promise<void> {
    await this.#call('suspend');
    this.emit({ type: 'suspended', reason: 'user' });
  }

  resume(): Promise<void> {
    return this.#call('resume');
  }

  setMemory(kib: number): Promise<void> {
    return this.#call(`setMemory:${kib}`);
  }

  setVcpus(count: number): Promise<void> {
    return this.#call(`setVcpus:${count}`);
  }

  stats(): Promise<DomainStats> {
    return Promise.resolve({ cpuTimeNs: 1_500_000_000, currentMemoryKiB: 1024, vcpus: 1 });
  }

  detailedStats(): Promise<DetailedStats> {
    return Promise.resolve({
      cpuTimeNs: 1_500_000_000, cpuUserNs: 1_000_000_000, cpuSystemNs: 500_000_000, balloon: { currentKiB: 1024, maximumKiB: 1024 }, vcpus: [], block: [], net: [],
    });
  }

  vcpuInfo(): Promise<VcpuInfo[]> {
    return Promise.resolve([{ vcpu: 0, threadId: this.pid + 1, state: 'running', cpuTimeNs: 1_000_000_000, cpu: 0, affinity: [0] }]);
  }

  openConsole(): Promise<Duplex> {
    return Promise.resolve(new PassThrough());
  }

  detach(): Promise<void> {
    return this.#call('detach');
  }
}

export class FakeHypervisor implements Hypervisor {
  readonly name = 'fake';
  readonly running = new Map<string, FakeRunning>();
  /** While set, start() waits for it. */
  gate: Promise<void> | undefined;
  failStart: Error | undefined;
  /** What reattach answers: the pids it finds alive. */
  alive = new Set<number>();
  #pid = 1000;

  version(): Promise<HypervisorVersion> {
    return Promise.resolve({ name: 'FAKE', version: '1.0.0' });
  }

  async start(def: DomainDef, paths: DomainRuntimePaths, opts: StartOptions): Promise<RunningDomain> {
    await this.gate;
    if (this.failStart) throw this.failStart;
    const r = new FakeRunning(++this.#pid, paths.qmpSocket, def);
    if (opts.paused) r.calls.push('paused');
    this.running.set(def.name, r);
    return r;
  }

  reattach(def: DomainDef, status: DomainStatus): Promise<RunningDomain | undefined> {
    if (!this.alive.has(status.pid)) return Promise.resolve(undefined);
    const r = new FakeRunning(status.pid, status.qmpSocket, def);
    this.running.set(def.name, r);
    return Promise.resolve(r);
  }

  nativeArgv(def: DomainDef, paths: DomainRuntimePaths): Promise<NativeArgv> {
    return Promise.resolve({ binary: 'fake-qemu', args: ['-name', `guest=${def.name}`, '-qmp', paths.qmpSocket], env: {} });
  }

  capabilitiesXml(): Promise<string> {
    return Promise.resolve('<capabilities/>\n');
  }

  domainCapabilitiesXml(): Promise<string> {
    return Promise.resolve('<domainCapabilities/>\n');
  }

  cpuModelNames(): Promise<string[]> {
    return Promise.resolve(['qemu64']);
  }
}
