/**
 * Where an instance of virtkitd keeps its files. The layout itself is pure and
 * shared with the client (src/core/instance-layout.ts); here the daemon resolves
 * a relative --root against its working directory, names the per-domain
 * runtime files, and checks socket paths.
 *
 * UNIX socket paths are limited to 107 bytes (sun_path is 108 with the NUL), so
 * sockets use short fixed names and per-domain runtime dirs are named by UUID,
 * not by domain name. `checkSocketPath` refuses a path that would not fit.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { VirtkitError } from '../core/errors.js';
import { instanceLayout as layoutOf, type InstanceLayout, type InstanceSpec } from '../core/instance-layout.js';

export type { InstanceLayout, InstanceSpec } from '../core/instance-layout.js';

export const SOCKET_PATH_MAX = 107;

/** The instance's layout; a relative --root is taken from the working directory. */
export function instanceLayout(spec: InstanceSpec): InstanceLayout {
  return layoutOf(spec.kind === 'root' ? { kind: 'root', root: resolve(spec.root) } : spec);
}

/** Files and sockets of one domain while it runs (handed to the hypervisor driver). */
export interface DomainRuntimePaths {
  /** Private runtime dir, named by UUID to keep socket paths short. */
  readonly runDir: string;
  readonly qmpSocket: string;
  /** The first serial port's socket (the longest socket path of a domain). */
  readonly consoleSocket: string;
  /** Persistent per-domain data (NVRAM, TPM state...). */
  readonly libDir: string;
  /** QEMU's stdout/stderr, appended to across runs. */
  readonly logFile: string;
  /**
   * The instance's run dir, where it mounts a hugetlbfs per page size (hugepages-2048kB) when the host
   * has no mount of a size a domain asks for (qemu-driver/hugepages.ts); absent: it never mounts.
   */
  readonly hugepagesRoot?: string;
}

export function domainRuntimePaths(layout: InstanceLayout, name: string, uuid: string): DomainRuntimePaths {
  const runDir = join(layout.runDir, 'd', uuid);
  return {
    runDir,
    qmpSocket: join(runDir, 'qmp.sock'),
    consoleSocket: join(runDir, 'console.sock'),
    libDir: join(layout.stateDir, 'domains', uuid),
    logFile: join(layout.logDir, 'qemu', `${name}.log`),
    hugepagesRoot: layout.runDir,
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

/**
 * The instance's top directories, made where missing: a rooted instance's root and the run directory with
 * runDirMode (others may pass through them to run/network, where a network's unprivileged dnsmasq reads its hosts
 * files; see InstanceLayout.runDirMode), the state and log directories with dirMode. Existing directories keep
 * their modes: a root the user made 0700 is theirs (a network start then says what to change).
 */
export function makeInstanceDirs(layout: InstanceLayout): void {
  if (layout.root !== null) {
    mkdirSync(dirname(layout.root), { recursive: true });
    try {
      mkdirSync(layout.root, { mode: layout.runDirMode });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  mkdirSync(layout.runDir, { recursive: true, mode: layout.runDirMode });
  for (const d of [layout.logDir, layout.stateDir]) mkdirSync(d, { recursive: true, mode: layout.dirMode });
}
