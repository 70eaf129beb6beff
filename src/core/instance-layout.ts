/**
 * Where an instance of virtkitd keeps its files: a pure function of the
 * instance kind and the environment, so that the daemon, the client (which
 * must find the socket) and tests compute the same paths from one definition,
 * without touching the disk.
 *
 *   system (root):   /etc/virtkit, /var/lib/virtkit, /run/virtkit, /var/log/virtkit
 *   session (user):  $XDG_CONFIG_HOME/virtkit, $XDG_STATE_HOME/virtkit,
 *                    $XDG_RUNTIME_DIR/virtkit (or ~/.cache/virtkit/run), $XDG_STATE_HOME/virtkit/log
 *   --root DIR:      DIR/etc, DIR/lib, DIR/run, DIR/log, DIR/cache
 *
 * Sockets use short fixed names (UNIX socket paths are limited to 107 bytes;
 * src/daemon/paths.ts checks them). A relative --root is the caller's to
 * resolve: that needs the working directory, which core does not read.
 */
import { posix } from 'node:path';

// String joining only (posix: virtkit runs on Linux); no file system access.
const { join, isAbsolute, normalize } = posix;

export type InstanceSpec =
  | { kind: 'system' }
  | { kind: 'session'; env: Readonly<Record<string, string | undefined>>; home: string }
  /** `root` must be absolute. */
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
  /** Persistent storage pool definitions: NAME.xml (libvirt's /etc/libvirt/storage). */
  readonly poolsDir: string;
  /** One empty marker file per autostarted pool: NAME. */
  readonly poolAutostartDir: string;
  /** Status of active pools: NAME.json (cleared by a reboot with /run, as mounts are). */
  readonly poolStatusDir: string;
  /** Where the `default` dir pool keeps its volumes (libvirt's /var/lib/libvirt/images). */
  readonly imagesDir: string;
  /** Persistent secrets (libvirt's /etc/libvirt/secrets): UUID.xml, and UUID.base64 (0600) once a value is set. */
  readonly secretsDir: string;
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
  /**
   * Mode of the run directory (and, for a rooted instance, of the root when the daemon creates it): a network's
   * dnsmasq drops to an unprivileged user and must get through to run/network, so it is 0711 (traverse, not list)
   * where directories are otherwise 0700, and 0755 for the system instance (as /run/libvirt).
   */
  readonly runDirMode: number;
  /** The instance root of a rooted instance (VIRTKIT_ROOT, qemu:///embed?root=), else null. */
  readonly root: string | null;
}

export function instanceLayout(spec: InstanceSpec): InstanceLayout {
  switch (spec.kind) {
    case 'system':
      return build('system', 'qemu:///system', {
        config: '/etc/virtkit',
        state: '/var/lib/virtkit',
        run: '/run/virtkit',
        log: '/var/log/virtkit',
      }, 0o755, 0o755, null);
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
      }, 0o700, 0o700, null);
    }
    case 'root': {
      if (!isAbsolute(spec.root)) throw new Error(`instance root '${spec.root}' is not absolute: resolve it first`);
      // As path.resolve would: normalized, without a trailing slash.
      const root = normalize(spec.root).replace(/(.)\/+$/, '$1');
      return build('root', `qemu:///embed?root=${root}`, {
        config: join(root, 'etc'),
        state: join(root, 'lib'),
        run: join(root, 'run'),
        log: join(root, 'log'),
      }, 0o700, 0o711, root);
    }
  }
}

function build(
  kind: InstanceSpec['kind'],
  uri: string,
  d: { config: string; state: string; run: string; log: string },
  dirMode: number,
  runDirMode: number,
  root: string | null,
): InstanceLayout {
  return {
    kind,
    uri,
    configDir: d.config,
    domainsDir: join(d.config, 'domains'),
    autostartDir: join(d.config, 'autostart'),
    poolsDir: join(d.config, 'storage'),
    poolAutostartDir: join(d.config, 'storage', 'autostart'),
    poolStatusDir: join(d.run, 'storage'),
    imagesDir: join(d.state, 'images'),
    secretsDir: join(d.config, 'secrets'),
    stateDir: d.state,
    runDir: d.run,
    statusDir: join(d.run, 'status'),
    logDir: d.log,
    socket: join(d.run, 'virtkitd.sock'),
    pidfile: join(d.run, 'virtkitd.pid'),
    daemonLog: join(d.log, 'virtkitd.log'),
    autostartedMarker: join(d.run, 'autostarted'),
    dirMode,
    runDirMode,
    root,
  };
}
