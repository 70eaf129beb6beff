/**
 * Connecting to QEMU's monitor socket. QEMU creates it a few milliseconds
 * after it starts, so a connect right after spawn may find no socket (ENOENT)
 * or one nobody listens on yet (ECONNREFUSED): retry those, until a deadline
 * or until the caller aborts (typically: QEMU exited).
 */
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { VirtkitError } from '../../core/errors.js';

export interface ConnectSocketOptions {
  /** Give up after this long (default 10 s). */
  readonly timeoutMs?: number;
  /** Retry while the socket is missing or refused (default true). */
  readonly retry?: boolean;
  readonly signal?: AbortSignal;
}

const RETRYABLE = new Set(['ENOENT', 'ECONNREFUSED']);

function connectOnce(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(path);
    const onError = (err: Error) => {
      sock.destroy();
      reject(err);
    };
    sock.once('error', onError);
    sock.once('connect', () => {
      sock.off('error', onError);
      resolve(sock);
    });
  });
}

const errnoCode = (e: unknown): string | undefined => {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
};

/** Connects to `path`; fails with QMP_DISCONNECTED (never reached) or QMP_TIMEOUT. */
export async function connectUnixSocket(path: string, opts: ConnectSocketOptions = {}): Promise<Socket> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  // QEMU opens its monitor ~30 ms after exec: poll every millisecond for the first
  // 100 ms (each miss costs one failed connect), then back off to 50 ms.
  for (let attempt = 0, delay = 1; ; attempt++, delay = attempt < 100 ? 1 : Math.min(delay * 2, 50)) {
    if (opts.signal?.aborted === true) {
      throw new VirtkitError('QMP_DISCONNECTED', `gave up connecting to the QMP socket ${path}: ${String(opts.signal.reason)}`, {
        details: { path, reason: 'aborted' },
        cause: opts.signal.reason,
      });
    }
    try {
      return await connectOnce(path);
    } catch (err) {
      const code = errnoCode(err);
      const retry = opts.retry !== false && code !== undefined && RETRYABLE.has(code);
      if (!retry) {
        throw new VirtkitError('QMP_DISCONNECTED', `cannot connect to the QMP socket ${path}: ${(err as Error).message}`, {
          details: { path, reason: code ?? 'error' },
          cause: err,
        });
      }
      if (Date.now() + delay > deadline) {
        throw new VirtkitError('QMP_TIMEOUT', `no QMP socket at ${path} after ${timeoutMs} ms (${code}); QEMU did not start its monitor`, {
          details: { path, timeoutMs },
          cause: err,
        });
      }
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, delay);
      function done(): void {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', done);
        resolve();
      }
      opts.signal?.addEventListener('abort', done, { once: true });
    });
  }
}
