/**
 * QMP events virtkit reacts to, with the `data` QEMU 7.2 sends for each.
 * Events not listed here still arrive (as QmpEventMessage with untyped data).
 */
import type { QmpEventMessage } from './messages.js';

/** ShutdownCause in qapi/run-state.json. */
export type QmpShutdownCause =
  | 'none' | 'host-error' | 'host-qmp-quit' | 'host-qmp-system-reset' | 'host-signal' | 'host-ui'
  | 'guest-shutdown' | 'guest-reset' | 'guest-panic' | 'subsystem-reset' | 'snapshot-load';

export interface QmpEvents {
  /** QEMU is shutting down (or, with -no-shutdown, the guest powered off and QEMU paused). */
  SHUTDOWN: { readonly guest: boolean; readonly reason: QmpShutdownCause };
  /** system_powerdown pressed the ACPI power button. */
  POWERDOWN: Record<never, never>;
  RESET: { readonly guest: boolean; readonly reason: QmpShutdownCause };
  STOP: Record<never, never>;
  RESUME: Record<never, never>;
  SUSPEND: Record<never, never>;
  SUSPEND_DISK: Record<never, never>;
  WAKEUP: Record<never, never>;
  GUEST_PANICKED: { readonly action: 'pause' | 'poweroff' | 'run'; readonly info?: Readonly<Record<string, unknown>> };
  GUEST_CRASHLOADED: { readonly action: 'pause' | 'poweroff' | 'run' };
  /** A device_del finished: the guest released the device. */
  DEVICE_DELETED: { readonly device?: string; readonly path: string };
  /** The balloon reached a new size (bytes). */
  BALLOON_CHANGE: { readonly actual: number };
  WATCHDOG: { readonly action: 'reset' | 'shutdown' | 'poweroff' | 'pause' | 'debug' | 'none' | 'inject-nmi' };
  BLOCK_IO_ERROR: {
    readonly device: string;
    readonly 'node-name'?: string;
    readonly operation: 'read' | 'write';
    readonly action: 'ignore' | 'report' | 'stop';
    readonly nospace?: boolean;
    readonly reason: string;
  };
  DEVICE_TRAY_MOVED: { readonly device: string; readonly id: string; readonly 'tray-open': boolean };
  RTC_CHANGE: { readonly offset: number; readonly 'qom-path'?: string };
  /** A virtio-serial port was opened or closed by the guest (the guest agent uses this). */
  VSERPORT_CHANGE: { readonly id: string; readonly open: boolean };
  NIC_RX_FILTER_CHANGED: { readonly name?: string; readonly path: string };
}

export type QmpEventName = keyof QmpEvents;

export const QMP_EVENT_NAMES: readonly QmpEventName[] = [
  'SHUTDOWN', 'POWERDOWN', 'RESET', 'STOP', 'RESUME', 'SUSPEND', 'SUSPEND_DISK', 'WAKEUP', 'GUEST_PANICKED',
  'GUEST_CRASHLOADED', 'DEVICE_DELETED', 'BALLOON_CHANGE', 'WATCHDOG', 'BLOCK_IO_ERROR', 'DEVICE_TRAY_MOVED',
  'RTC_CHANGE', 'VSERPORT_CHANGE', 'NIC_RX_FILTER_CHANGED',
];

/** An event whose name, and so whose data, is known. */
export type QmpEvent<N extends QmpEventName> = Omit<QmpEventMessage, 'event' | 'data'> & {
  readonly event: N;
  readonly data: QmpEvents[N];
};

/** Narrows an event by name. The data is QEMU's; its shape is trusted, not checked. */
export function isQmpEvent<N extends QmpEventName>(ev: QmpEventMessage, name: N): ev is QmpEventMessage & QmpEvent<N> {
  return ev.event === name;
}
