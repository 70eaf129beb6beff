/**
 * The state of one running QEMU domain as libvirt reports it, driven by QMP
 * events, by our own requests and by QEMU going away. Pure: `step` takes the
 * tracker and one input and returns the next tracker plus effects for the
 * driver to carry out (events to report, commands to send).
 *
 * QEMU runs with -no-shutdown, so a guest power-off leaves it paused and the
 * on_poweroff / on_reboot / on_crash actions are decided here:
 *   destroy            -> quit QEMU; it stops with shutoff/shutdown (or /crashed)
 *   restart            -> system_reset + cont in the same process (libvirt's
 *                         "fake reboot"): running/booted, or running/crashed
 *                         after a panic
 *   preserve           -> leave QEMU paused (paused/shutting-down, crashed/panicked)
 *   coredump-destroy   -> as destroy (virtkit writes no core dumps yet)
 *   coredump-restart   -> as restart
 *   rename-restart     -> as restart (libvirt only supports it for Xen)
 * An exit of QEMU we did not ask for and that no SHUTDOWN announced is a crash
 * (shutoff/crashed), as libvirt reports it.
 */
export type LifecycleAction =
  | 'destroy' | 'restart' | 'preserve' | 'rename-restart' | 'coredump-destroy' | 'coredump-restart';

export interface LifecyclePolicy {
  readonly onPoweroff: LifecycleAction;
  readonly onReboot: LifecycleAction;
  readonly onCrash: LifecycleAction;
}

/** libvirt's defaults when the XML leaves them out. */
export const DEFAULT_POLICY: LifecyclePolicy = { onPoweroff: 'destroy', onReboot: 'restart', onCrash: 'destroy' };

export type RunState =
  | { readonly state: 'running'; readonly reason: 'booted' | 'unpaused' | 'crashed' | 'wakeup' | 'unknown' }
  | { readonly state: 'paused'; readonly reason: 'user' | 'starting-up' | 'shutting-down' | 'ioerror' | 'unknown' }
  | { readonly state: 'crashed'; readonly reason: 'panicked' }
  | { readonly state: 'pmsuspended'; readonly reason: 'unknown' }
  | { readonly state: 'shutoff'; readonly reason: ShutoffReason };

export type ShutoffReason = 'shutdown' | 'destroyed' | 'crashed' | 'failed' | 'daemon';

/** What the driver reports to the engine (the same shape as the daemon's DriverEvent). */
export type LifecycleEvent =
  | { readonly type: 'stopped'; readonly reason: ShutoffReason }
  | { readonly type: 'suspended'; readonly reason: 'user' | 'ioerror' | 'unknown' }
  /** The vCPUs run again; `reason` is the running state's reason (running/crashed after on_crash=restart). */
  | { readonly type: 'resumed'; readonly reason: ResumeReason }
  | { readonly type: 'shutdown'; readonly by: 'guest' | 'host' }
  | { readonly type: 'crashed'; readonly reason: 'panicked' }
  | { readonly type: 'pmsuspended'; readonly to: 'memory' | 'disk' };

export type ResumeReason = 'booted' | 'unpaused' | 'crashed' | 'wakeup';

export type LifecycleEffect =
  | { readonly type: 'event'; readonly event: LifecycleEvent }
  /** Stop QEMU (quit over QMP, signals as a fallback); its exit then reports `stopped`. */
  | { readonly type: 'quit' }
  /** system_reset, then cont: the guest boots again in the same QEMU. */
  | { readonly type: 'reset-and-cont' };

export type LifecycleInput =
  | { readonly type: 'qmp'; readonly event: string; readonly data?: Readonly<Record<string, unknown>> }
  /** QEMU is gone: its monitor closed or the child exited. */
  | { readonly type: 'exit' }
  /** Our own requests, recorded just before the QMP command is sent. */
  | { readonly type: 'request'; readonly op: 'cont' | 'stop' | 'reboot' | 'destroy' | 'quit' };

export interface Tracker {
  readonly state: RunState;
  readonly policy: LifecyclePolicy;
  /** virsh reboot is pending: the guest's next power-off resets instead. */
  readonly rebootRequested: boolean;
  /** QEMU announced SHUTDOWN (or we stop it): how its exit is reported. */
  readonly exitReason: ShutoffReason | undefined;
  /** Reason for the next RESUME, set by whoever sent `cont`. */
  readonly resumeReason: 'booted' | 'unpaused' | 'crashed' | undefined;
  /** We sent `stop`: the next STOP is the user's pause. */
  readonly stopRequested: boolean;
  /** The next STOP follows a SHUTDOWN or a panic and is not a pause of its own. */
  readonly swallowStop: boolean;
  readonly ioError: boolean;
}

export function initialTracker(policy: LifecyclePolicy, state: RunState = { state: 'paused', reason: 'starting-up' }): Tracker {
  return {
    state, policy, rebootRequested: false, exitReason: undefined, resumeReason: state.state === 'paused' && state.reason === 'starting-up' ? 'booted' : undefined,
    stopRequested: false, swallowStop: false, ioError: false,
  };
}

export interface Step {
  readonly tracker: Tracker;
  readonly effects: readonly LifecycleEffect[];
}

const ev = (event: LifecycleEvent): LifecycleEffect => ({ type: 'event', event });

function isRestart(a: LifecycleAction): boolean {
  return a === 'restart' || a === 'coredump-restart' || a === 'rename-restart';
}

export function step(t: Tracker, input: LifecycleInput): Step {
  if (t.state.state === 'shutoff') return { tracker: t, effects: [] }; // dead handle: nothing more happens
  switch (input.type) {
    case 'request':
      return request(t, input.op);
    case 'exit': {
      const reason = t.exitReason ?? 'crashed';
      return { tracker: { ...t, state: { state: 'shutoff', reason } }, effects: [ev({ type: 'stopped', reason })] };
    }
    case 'qmp':
      return qmpEvent(t, input.event, input.data ?? {});
  }
}

function request(t: Tracker, op: 'cont' | 'stop' | 'reboot' | 'destroy' | 'quit'): Step {
  switch (op) {
    case 'cont':
      return { tracker: { ...t, resumeReason: t.resumeReason ?? 'unpaused' }, effects: [] };
    case 'stop':
      return { tracker: { ...t, stopRequested: true }, effects: [] };
    case 'reboot':
      return { tracker: { ...t, rebootRequested: true }, effects: [] };
    case 'destroy':
      return { tracker: { ...t, exitReason: 'destroyed' }, effects: [] };
    case 'quit':
      return { tracker: { ...t, exitReason: t.exitReason ?? 'shutdown' }, effects: [] };
  }
}

function qmpEvent(t: Tracker, name: string, data: Readonly<Record<string, unknown>>): Step {
  switch (name) {
    case 'SHUTDOWN':
      return shutdown(t, data['guest'] === true, typeof data['reason'] === 'string' ? data['reason'] : 'none');
    case 'RESET':
      // A guest-initiated reboot with on_reboot=destroy: QEMU restarted the guest
      // (no -no-reboot on its command line), so stop it now.
      if (data['guest'] === true && !isRestart(t.policy.onReboot) && t.policy.onReboot !== 'preserve') {
        return { tracker: { ...t, exitReason: 'shutdown' }, effects: [{ type: 'quit' }] };
      }
      return { tracker: t, effects: [] };
    case 'STOP': {
      if (t.swallowStop) return { tracker: { ...t, swallowStop: false }, effects: [] };
      if (t.state.state !== 'running') return { tracker: { ...t, stopRequested: false }, effects: [] };
      const reason = t.stopRequested ? 'user' : t.ioError ? 'ioerror' : 'unknown';
      return {
        tracker: { ...t, state: { state: 'paused', reason }, stopRequested: false, ioError: false },
        effects: [ev({ type: 'suspended', reason })],
      };
    }
    case 'RESUME': {
      const reason = t.resumeReason ?? 'unpaused';
      const wasStarting = t.state.state === 'paused' && t.state.reason === 'starting-up';
      const tracker: Tracker = { ...t, state: { state: 'running', reason }, resumeReason: undefined, swallowStop: false };
      // The engine records the first start itself, and a reboot never left
      // 'running' as far as anyone outside could see; other resumes are news.
      const news = !wasStarting && t.state.state !== 'running';
      return { tracker, effects: news ? [ev({ type: 'resumed', reason })] : [] };
    }
    case 'BLOCK_IO_ERROR':
      return { tracker: { ...t, ioError: data['action'] === 'stop' }, effects: [] };
    case 'GUEST_PANICKED':
      return panicked(t);
    case 'SUSPEND':
      return { tracker: { ...t, state: { state: 'pmsuspended', reason: 'unknown' } }, effects: [ev({ type: 'pmsuspended', to: 'memory' })] };
    case 'SUSPEND_DISK':
      return { tracker: { ...t, exitReason: 'shutdown' }, effects: [ev({ type: 'pmsuspended', to: 'disk' })] };
    case 'WAKEUP':
      return { tracker: { ...t, state: { state: 'running', reason: 'wakeup' } }, effects: [ev({ type: 'resumed', reason: 'wakeup' })] };
    default:
      return { tracker: t, effects: [] }; // POWERDOWN and the rest change nothing
  }
}

function shutdown(t: Tracker, guest: boolean, reason: string): Step {
  const announced: LifecycleEffect = ev({ type: 'shutdown', by: guest ? 'guest' : 'host' });
  // QEMU is about to exit on its own (quit, a signal): report it, wait for the exit.
  if (!guest || reason.startsWith('host-')) {
    return { tracker: { ...t, exitReason: t.exitReason ?? 'shutdown', swallowStop: true }, effects: t.exitReason === undefined ? [announced] : [] };
  }
  if (reason === 'guest-panic') return panicked(t);
  const base: Tracker = { ...t, swallowStop: true };
  // virsh reboot asked for this power-off: boot again instead of stopping.
  if (t.rebootRequested && reason === 'guest-shutdown') {
    return { tracker: { ...base, rebootRequested: false, resumeReason: 'booted' }, effects: [{ type: 'reset-and-cont' }] };
  }
  const action = reason === 'guest-reset' ? t.policy.onReboot : t.policy.onPoweroff;
  if (isRestart(action)) {
    return { tracker: { ...base, resumeReason: 'booted' }, effects: [{ type: 'reset-and-cont' }] };
  }
  if (action === 'preserve') {
    return { tracker: { ...base, state: { state: 'paused', reason: 'shutting-down' } }, effects: [announced, ev({ type: 'suspended', reason: 'unknown' })] };
  }
  return { tracker: { ...base, exitReason: 'shutdown' }, effects: [announced, { type: 'quit' }] };
}

function panicked(t: Tracker): Step {
  const crashed: Tracker = { ...t, state: { state: 'crashed', reason: 'panicked' }, swallowStop: true };
  const effects: LifecycleEffect[] = [ev({ type: 'crashed', reason: 'panicked' })];
  const action = t.policy.onCrash;
  if (isRestart(action)) return { tracker: { ...crashed, resumeReason: 'crashed' }, effects: [...effects, { type: 'reset-and-cont' }] };
  if (action === 'preserve') return { tracker: crashed, effects };
  return { tracker: { ...crashed, exitReason: 'crashed' }, effects: [...effects, { type: 'quit' }] };
}

/** Maps `query-status` to a state (re-attach, and a check after the fact). */
export function stateFromQueryStatus(status: string, running: boolean): RunState {
  if (running) return { state: 'running', reason: 'unknown' };
  switch (status) {
    case 'guest-panicked': return { state: 'crashed', reason: 'panicked' };
    case 'suspended': return { state: 'pmsuspended', reason: 'unknown' };
    case 'shutdown': return { state: 'paused', reason: 'shutting-down' };
    case 'io-error': return { state: 'paused', reason: 'ioerror' };
    case 'prelaunch': return { state: 'paused', reason: 'starting-up' };
    case 'paused': return { state: 'paused', reason: 'user' };
    default: return { state: 'paused', reason: 'unknown' };
  }
}
