/**
 * One running QEMU (started by this daemon, or re-attached): the monitor,
 * the lifecycle tracker (src/core/qemu/lifecycle.ts) fed by QMP events, our
 * requests and QEMU going away, and the effects it asks for. "Gone" is the
 * monitor closing (or our child exiting), never the process table.
 */
import type { Duplex } from 'node:stream';
import { VirtkitError } from '../../core/errors.js';
import type { LifecycleEffect, LifecycleInput, Tracker } from '../../core/qemu/lifecycle.js';
import { step } from '../../core/qemu/lifecycle.js';
import type { SerialConsole } from '../../host/qemu/console.js';
import { isSameProcess } from '../../host/qemu/process.js';
import type { StopTarget } from '../../host/qemu/process-stop.js';
import { stopQemu } from '../../host/qemu/process-stop.js';
import { removeRuntimeDir } from '../../host/qemu/runtime.js';
import type { QemuRuntimeRecord } from '../../host/qemu/runtime.js';
import type { DomainDef } from '../domain-xml.js';
import type { DetailedStats, DomainStats, DriverEvent, RunningDomain, ShutdownMode, VcpuInfo } from '../driver.js';
import type { DomainRuntimePaths } from '../paths.js';
import type { Monitor } from './monitor.js';
import { collectDetailedStats, collectStats, vcpuInfo } from './stats.js';
import { toCoreDef } from './launch-plan.js';
import { QemuBlockOps } from './live-disks.js';
import type { ChildProcess } from 'node:child_process';
import type { ArgvCaps } from '../../core/qemu/argv/index.js';
import { QemuLiveDisks } from './hotplug.js';
import { QemuLiveNics } from './net-hotplug.js';
import type { Prepare } from './launch-plan.js';
import type { DomainTaps } from './net-taps.js';
import { applyTuning, readSched, removeTuning } from './tuning.js';
import type { LiveTuning } from '../live-tuning.js';
import type { TuningHost } from './tuning.js';
import { QemuLiveVcpus } from './vcpu-hotplug.js';
import { vcpuSlots, withVcpuSlots } from '../../core/qemu/hotplug/vcpu-plan.js';
import { AGENT_CHANNEL_NAME, AgentPort } from './agent-port.js';

export interface QemuDomainParts {
  readonly record: QemuRuntimeRecord;
  readonly monitor: Monitor;
  readonly console: SerialConsole | undefined;
  /** Why there is no console although the domain has a serial port (a failed reconnect). */
  readonly consoleLost?: string;
  readonly child: ChildProcess | undefined;
  readonly childExited: Promise<unknown> | undefined;
  readonly tracker: Tracker;
  readonly liveDef: DomainDef;
  readonly paths: DomainRuntimePaths;
  readonly aliases: Readonly<Record<string, string>>;
  readonly procRoot: string;
  readonly termTimeoutMs: number;
  readonly warn: (message: string) => void;
  /** For disk hotplug (hotplug.ts): the QEMU's capabilities, prepareDomain, the unplug wait. */
  readonly caps: () => Promise<ArgvCaps>;
  readonly prepare: Prepare;
  readonly unplugTimeoutMs: number;
  /** The taps this domain made: removed once QEMU is gone; NIC hotplug adds and removes some. */
  readonly taps: DomainTaps;
  /** Where its cgroup lives (tuning.ts): removed once QEMU is gone. */
  readonly tuning: TuningHost;
}

export class QemuDomain implements RunningDomain {
  readonly pid: number;
  readonly qmpSocket: string;
  readonly argv: readonly string[];
  readonly startedAt: Date;
  readonly aliases: Readonly<Record<string, string>>;
  /** Changed by disk hotplug. */
  liveDef: DomainDef;
  readonly disks: QemuLiveDisks;
  readonly nics: QemuLiveNics;
  readonly blockOps: QemuBlockOps;
  readonly tuning: LiveTuning;
  readonly vcpus: QemuLiveVcpus;
  readonly agent: AgentPort;
  /** Resolves once QEMU is gone, its files are cleaned and `stopped` was reported. */
  readonly finished: Promise<void>;
  readonly #listeners: ((e: DriverEvent) => void)[] = [];
  readonly #target: StopTarget;
  #tracker: Tracker;
  #detached = false;

  constructor(private readonly p: QemuDomainParts) {
    const r = p.record;
    this.pid = r.pid;
    this.qmpSocket = r.qmpSocket;
    this.argv = [r.binary, ...r.args];
    this.startedAt = new Date(r.startedAt);
    this.aliases = p.aliases;
    // Where vCPUs can be plugged, the live XML shows each one's state (<vcpus>), as libvirt's does.
    const slots = vcpuSlots(p.liveDef);
    this.liveDef = slots.some((v) => !v.enabled) || p.liveDef.vcpus !== undefined ? withVcpuSlots(p.liveDef, slots) : p.liveDef;
    this.disks = new QemuLiveDisks({
      monitor: p.monitor, caps: p.caps, prepare: p.prepare, unplugTimeoutMs: p.unplugTimeoutMs, warn: p.warn, runDir: p.paths.runDir,
      live: () => this.liveDef, setLive: (def) => { this.liveDef = def; },
    });
    this.nics = new QemuLiveNics({
      monitor: p.monitor, caps: p.caps, prepare: p.prepare, unplugTimeoutMs: p.unplugTimeoutMs, warn: p.warn, taps: p.taps,
      live: () => this.liveDef, setLive: (def) => { this.liveDef = def; },
    });
    this.#tracker = p.tracker;
    this.blockOps = new QemuBlockOps(p.monitor);
    this.tuning = {
      retune: async (def) => {
        await applyTuning(p.monitor, toCoreDef(def), this.pid, p.tuning);
        this.liveDef = def;
      },
      sched: () => readSched(this.pid, p.tuning),
    };
    this.vcpus = new QemuLiveVcpus({
      monitor: p.monitor, unplugTimeoutMs: p.unplugTimeoutMs, warn: p.warn,
      live: () => this.liveDef, setLive: (def) => { this.liveDef = def; },
      retune: (def) => applyTuning(p.monitor, toCoreDef(def), this.pid, p.tuning),
    });
    this.agent = new AgentPort({
      monitor: p.monitor, def: toCoreDef(this.liveDef), runDir: p.paths.runDir, warn: p.warn,
    });
    const gone = p.childExited ?? p.monitor.closed;
    this.#target = { pid: r.pid, startTicks: r.startTicks, gone, procRoot: p.procRoot, ...(p.child ? { child: p.child } : {}) };
    p.monitor.onEvent((event, data) => this.#feed({ type: 'qmp', event, data }));
    this.finished = p.monitor.closed.then(() => this.#onGone());
  }

  get state(): Tracker['state'] {
    return this.#tracker.state;
  }

  async #onGone(): Promise<void> {
    if (this.#detached) return;
    this.p.console?.close();
    this.agent.close();
    // The monitor closes a moment before the process is really gone: wait for
    // our child's exit (it is reaped then), or for the pid to stop being this QEMU.
    if (this.p.childExited !== undefined) await this.p.childExited;
    else {
      for (let i = 0; i < 400 && (await isSameProcess(this.pid, this.p.record.startTicks, this.p.procRoot)); i++) {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    const failed = await this.p.taps.removeAll();
    if (failed.length > 0) this.p.warn(`cannot remove the taps of QEMU ${this.pid}: ${failed.join('; ')}`);
    const cg = await removeTuning(this.pid, this.p.tuning).catch((e: unknown) => [(e as Error).message]);
    if (cg.length > 0) this.p.warn(`cannot remove the cgroup of QEMU ${this.pid}: ${cg.join('; ')}`);
    await removeRuntimeDir(this.p.paths.runDir).catch((e: unknown) => this.p.warn(`cannot remove ${this.p.paths.runDir}: ${(e as Error).message}`));
    this.#feed({ type: 'exit' });
  }

  /** Plays an event that happened while no daemon watched (re-attach). */
  replay(input: LifecycleInput): void {
    this.#feed(input);
  }

  #feed(input: LifecycleInput): void {
    const s = step(this.#tracker, input);
    this.#tracker = s.tracker;
    for (const e of s.effects) this.#apply(e);
  }

  #apply(e: LifecycleEffect): void {
    switch (e.type) {
      case 'event':
        for (const l of this.#listeners) l(e.event);
        return;
      case 'quit':
        this.#feed({ type: 'request', op: 'quit' });
        stopQemu(this.#target, { graceful: false, termTimeoutMs: this.p.termTimeoutMs, quit: () => this.p.monitor.execute('quit') })
          .catch((err: unknown) => this.p.warn(`cannot stop QEMU ${this.pid}: ${(err as Error).message}`));
        return;
      case 'reset-and-cont':
        this.p.monitor.execute('system_reset')
          .then(() => this.p.monitor.execute('cont'))
          .catch((err: unknown) => this.p.warn(`cannot restart the guest of QEMU ${this.pid}: ${(err as Error).message}`));
        return;
    }
  }

  onEvent(listener: (event: DriverEvent) => void): void {
    this.#listeners.push(listener);
  }

  /** guest-shutdown answers nothing on success: the guest's power-off (or reset) is the answer. */
  async #agentShutdown(what: string, mode: 'powerdown' | 'reboot'): Promise<void> {
    if (!this.agent.hasChannel) {
      throw new VirtkitError('AGENT_UNAVAILABLE', `cannot ${what} with --mode agent: the domain has no guest agent channel ` +
        `(<channel type='unix'><target type='virtio' name='${AGENT_CHANNEL_NAME}'/></channel>); use --mode acpi`);
    }
    await this.agent.execute('guest-shutdown', { mode }, { noReply: true });
  }

  async shutdown(mode: ShutdownMode | undefined): Promise<void> {
    if (mode === 'agent') return this.#agentShutdown('shut down', 'powerdown');
    await this.p.monitor.execute('system_powerdown');
  }

  async reboot(mode: ShutdownMode | undefined): Promise<void> {
    if (this.p.record.noReboot) {
      throw new VirtkitError('OPERATION_INVALID', 'cannot reboot: every lifecycle action of this domain is destroy, so QEMU runs with -no-reboot; ' +
        "set <on_reboot>restart</on_reboot> and start it again");
    }
    if (mode === 'agent') return this.#agentShutdown('reboot', 'reboot');
    // libvirt's ACPI reboot: press the power button; the guest's power-off then resets instead.
    this.#feed({ type: 'request', op: 'reboot' });
    await this.p.monitor.execute('system_powerdown');
  }

  async reset(): Promise<void> {
    await this.p.monitor.execute('system_reset');
  }

  async destroy(opts: { graceful: boolean }): Promise<void> {
    this.#feed({ type: 'request', op: 'destroy' });
    await stopQemu(this.#target, { graceful: opts.graceful, termTimeoutMs: this.p.termTimeoutMs });
    await this.finished;
  }

  async suspend(): Promise<void> {
    this.#feed({ type: 'request', op: 'stop' });
    await this.p.monitor.execute('stop');
  }

  async resume(): Promise<void> {
    this.#feed({ type: 'request', op: 'cont' });
    await this.p.monitor.execute('cont');
  }

  async setMemory(kib: number): Promise<void> {
    try {
      await this.p.monitor.execute('balloon', { value: kib * 1024 });
      // The target, as libvirt's live XML shows it; the guest reaches it at its own pace (domstats balloon.current).
      this.liveDef = { ...this.liveDef, currentMemory: { value: kib } };
    } catch (e) {
      if (e instanceof VirtkitError && e.code === 'QMP_COMMAND_FAILED') {
        throw new VirtkitError('OPERATION_INVALID', `cannot change the memory of a running domain: ${e.message} (it needs <memballoon model='virtio'/> and a guest balloon driver)`, { cause: e });
      }
      throw e;
    }
  }

  /** vCPU hotplug (vcpu-hotplug.ts); the live definition follows each vCPU plugged or ejected. */
  setVcpus(count: number, onLate?: () => void): Promise<void> {
    return this.vcpus.set(count, onLate);
  }

  stats(): Promise<DomainStats> {
    return collectStats(this.p.monitor, this.pid, this.liveDef, this.p.procRoot);
  }

  /** domstats' figures: per-vCPU times, balloon, block and tap counters. */
  detailedStats(sysRoot = '/sys'): Promise<DetailedStats> {
    const taps = (toCoreDef(this.liveDef).devices?.interface ?? []).flatMap((i) => (i.target?.dev === undefined ? [] : [i.target.dev]));
    return collectDetailedStats(this.p.monitor, this.pid, this.liveDef, taps, { proc: this.p.procRoot, sys: sysRoot });
  }

  /** virsh vcpuinfo: each vCPU's host thread, CPU time and last host CPU. */
  vcpuInfo(): Promise<VcpuInfo[]> {
    return vcpuInfo(this.p.monitor, this.pid, this.p.procRoot);
  }

  openConsole(): Promise<Duplex> {
    if (this.p.console === undefined && this.p.consoleLost !== undefined) {
      return Promise.reject(new VirtkitError('OPERATION_INVALID', `virtkitd ${this.p.consoleLost}; the guest runs on without a console until it is restarted`));
    }
    if (this.p.console === undefined) {
      return Promise.reject(new VirtkitError('OPERATION_INVALID', 'the domain has no serial console (add <serial type=\'pty\'/> and <console type=\'pty\'/>)'));
    }
    return Promise.resolve(this.p.console.open());
  }

  async detach(): Promise<void> {
    this.#detached = true;
    this.p.child?.unref(); // the daemon may exit; the guest runs on
    this.p.console?.close();
    this.agent.close();
    this.p.monitor.close();
    await this.p.monitor.closed;
  }
}
