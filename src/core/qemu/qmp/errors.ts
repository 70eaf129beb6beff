/**
 * The three ways a QMP command fails, as VirtkitErrors with stable codes:
 *   QMP_COMMAND_FAILED  QEMU answered with an error (details: class, desc, command)
 *   QMP_TIMEOUT         no answer in time (details: command, timeoutMs)
 *   QMP_DISCONNECTED    the monitor went away (details: reason, command if one was pending)
 */
import { VirtkitError } from '../../errors.js';

export function qmpCommandFailed(command: string, errorClass: string, desc: string): VirtkitError {
  return new VirtkitError('QMP_COMMAND_FAILED', `QEMU refused '${command}': ${desc} (${errorClass})`, {
    details: { class: errorClass, desc, command },
  });
}

export function qmpTimeout(command: string, timeoutMs: number): VirtkitError {
  return new VirtkitError(
    'QMP_TIMEOUT',
    `QEMU did not answer '${command}' within ${timeoutMs} ms; QEMU may be stuck or the host overloaded (the command may still take effect)`,
    { details: { command, timeoutMs } },
  );
}

export function qmpDisconnected(reason: string, command?: string, cause?: unknown): VirtkitError {
  const what = command === undefined ? 'the QMP monitor connection closed' : `the QMP monitor closed before QEMU answered '${command}'`;
  return new VirtkitError('QMP_DISCONNECTED', `${what}: ${reason}; QEMU has probably exited (see its log)`, {
    details: command === undefined ? { reason } : { reason, command },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The QEMU error class of a QMP_COMMAND_FAILED error (e.g. 'CommandNotFound'), else undefined. */
export function qmpErrorClass(e: unknown): string | undefined {
  if (!(e instanceof VirtkitError) || e.code !== 'QMP_COMMAND_FAILED') return undefined;
  const c = e.details?.['class'];
  return typeof c === 'string' ? c : undefined;
}
