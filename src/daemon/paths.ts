/**
 * Where an instance of virtkitd keeps its files: a pure function of the
 * instance kind and the environment, so that tests (and the client, which
 * must find the socket) compute the same paths without touching the disk.
 *
 *   system (root):   /etc/virtkit, /var/lib/virtkit, /run/virtkit, /var/log/virtkit
 *   session (user):  $XDG_CONFIG_HOME/virtkit, $XDG_STATE_HOME/virtkit,
 *                    $XDG_RUNTIME_DIR/virtkit (or ~/.cache/virtkit/run), $XDG_STATE_HOME/virtkit/log
 *   --root DIR:      DIR/etc, DIR/lib, DIR/run, DIR/log, DIR/cache
 *
 * UNIX socket paths are limited to 107 bytes (sun_path is 108 with the NUL), so
 * sockets use short fixed names and per-domain runtime dirs are named by UUID,
 * not by domain name. `checkSocketPath` refuses a path that would not fit.
 */
import { join, resolve } from 'node:path';
import { VirtkitError } from '../core/errors.js';

export type InstanceSpec =
  | { kind: 'system' }
  | { kind: 'session'; env: Readonly<Record<string, string | undefined>>; home: string }
  | { kind: 'root'; root: string };

export interface InstanceLayout {
  readonly kind: InstanceSpec['kind'];
  /** The URI a client uses for this instance (`virtkit uri` prints it). */
  readonly uri: string;
  readonly configDir: string;
  /** Persistent domain definitions: NAME.xml. */
  readonly domainsDir: string;
  /** One empty marker file per autostarted domain: NAME. */
  readonly autostartDir: string;
  readonly stateDir: string;
  readonly runDir: string;
  /** Runtime status of running domains: NAME.json (cleared by a reboot with /run). */
  readonly statusDir: string;
  readonly logDir: string;
  readonly socket: string;
  readonly pidfile: string;
  readonly daemonLog: string;
  /** Written once autostart has run, so a daemon restart does not autostart again. */
  readonly autostartedMarker: string;
  /** Mode of the directories this instance creates. */
  readonly dirMode: number;
}

export const SOCKET_PATH_MAX = 107;

export function instanceLayout(spec: InstanceSpec): InstanceLayout {
  switch (spec.kind) {
    case 'system':
      return build('system', 'qemu:///system', {
        config: '/etc/virtkit',
        state: '/var/lib/virtkit',
        run: '/run/virtkit',
        log: '/var/log/virtkit',
      }, 0o755);
    case 'session': {
      const env = spec.env;
      const xdg = (name: string, fallback: string): string => {
        const v = env[name];
        // The XDG spec says relative values are invalid and must be ignored.
        return v !== undefined && v.startsWith('/') ? v : join(spec.home, fallback);
      };
      const state = join(xdg('XDG_STATE_HOME', '.local/state'), 'virtkit');
      const runtime = env['XDG_RUNTIME_DIR'];
      const run = runtime !== undefined && runtime.startsWith('/')
        ? join(runtime, 'virtkit')
        : join(xdg('XDG_CACHE_HOME', '.cache'), 'virtkit', 'run');
      return build('session', 'qemu:///session', {
        config: join(xdg('XDG_CONFIG_HOME', '.config'), 'virtkit'),
        state,
        run,
        log: join(state, 'log'),
      }, 0o700);
    }
    case 'root': {
      const root = resolve(spec.root);
      return build('root', `qemu:///embed?root=${root}`, {
        config: join(root, 'etc'),
        state: join(root, 'lib'),
        run: join(root, 'run'),
        log: join(root, 'log'),
      }, 0o700);
    }
  }
}

function build(
  kind: InstanceSpec['kind'],
  uri: string,
  d: { config: string; state: string; run: string; log: string },
  dirMode: number,
): InstanceLayout {
  return {
    kind,
    uri,
    configDir: d.config,
    domainsDir: join(d.config, 'domains'),
    autostartDir: join(d.config, 'autostart'),
    stateDir: d.state,
    runDir: d.run,
    statusDir: join(d.run, 'status'),
    logDir: d.log,
    socket: join(d.run, 'virtkitd.sock'),
    pidfile: join(d.run, 'virtkitd.pid'),
    daemonLog: join(d.log, 'virtkitd.log'),
    autostartedMarker: join(d.run, 'autostarted'),
    dirMode,
  };
}

/** Files and sockets of one domain while it runs (handed to the hypervisor driver). */
export interface DomainRuntimePaths {
  /** Private runtime dir, named by UUID to keep socket paths short. */
  readonly runDir: string;
  readonly qmpSocket: string;
  /** Persistent per-domain data (NVRAM, TPM state...). */
  readonly libDir: string;
  /** QEMU's stdout/stderr, appended to across runs. */
  readonly logFile: string;
}

export function domainRuntimePaths(layout: InstanceLayout, name: string, uuid: string): DomainRuntimePaths {
  const runDir = join(layout.runDir, 'd', uuid);
  return {
    runDir,
    qmpSocket: join(runDir, 'qmp.sock'),
    libDir: join(layout.stateDir, 'domains', uuid),
    logFile: join(layout.logDir, 'qemu', `${name}.log`),
  };
}

/** Throws when a UNIX socket path is too long to bind, naming the fix. */
export function checkSocketPath(path: string): void {
  const bytes = Buffer.byteLength(path);
  if (bytes > SOCKET_PATH_MAX) {
    throw new VirtkitError(
      'INVALID_ARGUMENT',
      `socket path '${path}' is ${bytes} bytes, more than the ${SOCKET_PATH_MAX} a UNIX socket allows; ` +
        'use a shorter --root directory (or a shorter XDG_RUNTIME_DIR)',
      { details: { path, bytes, max: SOCKET_PATH_MAX } },
    );
  }
}
