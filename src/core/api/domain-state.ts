/**
 * Domain states, their reasons and lifecycle events, named as libvirt names
 * them (virDomainState, virDomain*Reason, virDomainEventType and its details),
 * spelled in kebab-case for JSON. The CLI turns them into virsh's words.
 */
export const DOMAIN_STATES = [
  'nostate', 'running', 'blocked', 'paused', 'shutdown', 'shutoff', 'crashed', 'pmsuspended',
] as const;
export type DomainState = (typeof DOMAIN_STATES)[number];

export const STATE_REASONS = {
  nostate: ['unknown'],
  running: [
    'unknown', 'booted', 'migrated', 'restored', 'from-snapshot', 'unpaused', 'migration-canceled',
    'save-canceled', 'wakeup', 'crashed', 'post-copy', 'post-copy-failed',
  ],
  blocked: ['unknown'],
  paused: [
    'unknown', 'user', 'migrating', 'saving', 'dumping', 'ioerror', 'watchdog', 'from-snapshot',
    'shutting-down', 'snapshot', 'starting-up', 'post-copy', 'post-copy-failed', 'api-error',
  ],
  shutdown: ['unknown', 'user'],
  shutoff: ['unknown', 'shutdown', 'destroyed', 'crashed', 'migrated', 'saved', 'failed', 'from-snapshot', 'daemon'],
  crashed: ['unknown', 'panicked'],
  pmsuspended: ['unknown'],
} as const satisfies Record<DomainState, readonly string[]>;

export type StateReason<S extends DomainState = DomainState> = (typeof STATE_REASONS)[S][number];
export const ALL_STATE_REASONS = [...new Set(Object.values(STATE_REASONS).flat())] as StateReason[];

/** A state with a reason that belongs to it. */
export type StateWithReason = { [S in DomainState]: { state: S; reason: StateReason<S> } }[DomainState];

export const EVENT_DETAILS = {
  defined: ['added', 'updated'],
  undefined: ['removed'],
  started: ['booted', 'migrated', 'restored', 'from-snapshot', 'wakeup'],
  suspended: [
    'paused', 'migrated', 'ioerror', 'watchdog', 'restored', 'from-snapshot', 'api-error', 'post-copy',
    'post-copy-failed',
  ],
  resumed: ['unpaused', 'migrated', 'from-snapshot', 'post-copy'],
  stopped: ['shutdown', 'destroyed', 'crashed', 'migrated', 'saved', 'failed', 'from-snapshot'],
  shutdown: ['finished', 'guest', 'host'],
  pmsuspended: ['memory', 'disk'],
  crashed: ['panicked', 'crashloaded'],
} as const;

export type EventKind = keyof typeof EVENT_DETAILS;
export const EVENT_KINDS = Object.keys(EVENT_DETAILS) as EventKind[];
export type EventDetail<E extends EventKind = EventKind> = (typeof EVENT_DETAILS)[E][number];
export const ALL_EVENT_DETAILS = [...new Set(Object.values(EVENT_DETAILS).flat())] as EventDetail[];

export type EventWithDetail = { [E in EventKind]: { event: E; detail: EventDetail<E> } }[EventKind];

export type LifecycleEvent = EventWithDetail & {
  readonly domain: string;
  readonly uuid: string;
  /** ISO 8601, from the daemon's clock. */
  readonly timestamp: string;
};

export function isActive(state: DomainState): boolean {
  return state !== 'shutoff' && state !== 'nostate';
}
