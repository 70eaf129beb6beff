/**
 * Starts a daemon for a session or rooted instance when none answers, so
 * that a first `virtkit list` needs no set-up: virtkitd runs detached, logs
 * to its own log file, and the client waits (bounded) for its socket. Two
 * clients racing start two daemons; the pidfile lets one win, and both
 * clients see its socket.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { VirtkitError } from '../core/errors.js';
import type { Endpoint } from './endpoint.js';

export interface SpawnOptions {
  /** Path of bin/virtkitd (default: the one beside this package, or $VIRTKITD). */
  readonly virtkitd?: string;
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

// dist/src/client/spawn.js -> bin/virtkitd
const DEFAULT_VIRTKITD = fileURLToPath(new URL('../../../bin/virtkitd', import.meta.url));

export function canConnect(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(socket);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** The error for an instance the client does not start itself (the system one, or an explicit socket). */
export function notRunning(endpoint: Endpoint & { kind: 'unix' }, cause: unknown): VirtkitError {
  return new VirtkitError('DAEMON_UNREACHABLE',
    `virtkitd for ${endpoint.uri} is not running (no answer on ${endpoint.socket}); ` +
      (endpoint.uri === 'qemu:///system' ? 'start it as root with `virtkitd --system`' : 'start it first'),
    { details: { uri: endpoint.uri, socket: endpoint.socket }, cause });
}

export async function startDaemonFor(endpoint: Endpoint & { kind: 'unix' }, opts: SpawnOptions = {}): Promise<void> {
  const args = endpoint.spawnArgs;
  if (args === undefined) throw notRunning(endpoint, undefined);
  const env = opts.env ?? process.env;
  const bin = opts.virtkitd ?? env['VIRTKITD'] ?? DEFAULT_VIRTKITD;
  const child = spawn(process.execPath, [bin, ...args, '--log-to-file'], {
    detached: true, cwd: '/', env, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let exit: string | undefined;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    stderr = (stderr + d).slice(-2000);
  });
  child.once('exit', (code, signal) => {
    exit = signal === null ? `exited with status ${code ?? '?'}` : `was killed by ${signal}`;
  });
  child.once('error', (e) => {
    exit = `could not be started: ${e.message}`;
  });
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  try {
    for (;;) {
      if (await canConnect(endpoint.socket)) return;
      if (Date.now() > deadline) break;
      // A daemon that exited may have lost a start race to another one: keep waiting for the socket.
      await new Promise((r) => setTimeout(r, exit === undefined ? 10 : 50));
    }
  } finally {
    child.stderr.destroy();
    child.unref();
  }
  throw new VirtkitError('DAEMON_UNREACHABLE',
    `started virtkitd for ${endpoint.uri}, but its socket ${endpoint.socket} did not answer within ` +
      `${opts.timeoutMs ?? 10_000} ms${exit === undefined ? '' : ` (it ${exit})`}${stderr.trim() === '' ? '' : `: ${stderr.trim()}`}`,
    { details: { uri: endpoint.uri, socket: endpoint.socket, bin } });
}
