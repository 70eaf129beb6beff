/**
 * The little the driver needs from a QMP connection, behind one interface:
 * run a command, hear events in order, know when the connection closed (for
 * the driver, "QEMU is gone"). `connectMonitor` adapts the project's QMP
 * client (src/host/qmp), which negotiates capabilities and types errors
 * (QMP_DISCONNECTED, QMP_TIMEOUT, QMP_COMMAND_FAILED).
 */
import type { QmpConnection } from '../../host/qmp/index.js';
import { connectQmp } from '../../host/qmp/index.js';

export type QmpEventListener = (event: string, data: Readonly<Record<string, unknown>>) => void;

export interface Monitor {
  execute(command: string, args?: Readonly<Record<string, unknown>>): Promise<unknown>;
  onEvent(listener: QmpEventListener): void;
  /** Resolves when the connection is closed (by QEMU exiting, or by close()). */
  readonly closed: Promise<void>;
  close(): void;
}

export interface MonitorConnectOptions {
  /** Keep trying while the socket is missing (QEMU just started); default false. */
  readonly retry?: boolean;
  readonly timeoutMs?: number;
  /** Give up (QEMU exited while we waited). */
  readonly signal?: AbortSignal;
}

export type MonitorConnector = (socketPath: string, opts?: MonitorConnectOptions) => Promise<Monitor>;

export function monitorOf(conn: QmpConnection): Monitor {
  return {
    execute: (command, args) => conn.executeRaw(command, args),
    onEvent: (listener) => { conn.on('event', (m) => listener(m.event, m.data)); },
    closed: conn.disconnected.then(() => undefined),
    close: () => { void conn.close(); },
  };
}

export const connectMonitor: MonitorConnector = async (socketPath, opts = {}) => {
  const conn = await connectQmp(socketPath, {
    retry: opts.retry ?? false,
    timeoutMs: opts.timeoutMs ?? 10_000,
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
  });
  return monitorOf(conn);
};
