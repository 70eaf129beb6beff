/**
 * What starting, stopping, building and deleting a pool means for each pool
 * type. dir: a directory. fs: a block device or image file mounted on the
 * target (`mount -o loop` for a file). netfs: an NFS export mounted on the
 * target, where the kernel has an NFS client. rbd: nothing on this host (its
 * volumes are the images of a Ceph pool, rbd-volumes.ts). Each step is checked before it acts, so
 * a refusal changes nothing.
 */
import { mkdir, rmdir, stat } from 'node:fs/promises';
import { VirtkitError } from '../../core/errors.js';
import type { Mounter, MountOptions } from '../../host/storage/mounts.js';
import type { PoolDef } from './pool-xml.js';

export interface PoolBackend {
  /** pool-build: make the target directory (mode from <permissions>, default 0755). */
  build(def: PoolDef): Promise<void>;
  start(def: PoolDef): Promise<void>;
  stop(def: PoolDef): Promise<void>;
  /** pool-delete: remove the target directory (it must be empty). */
  remove(def: PoolDef): Promise<void>;
  /** Whether a pool that the status says is active still is (after a daemon restart). */
  stillActive(def: PoolDef): Promise<boolean>;
  /**
   * Whether `stillActive` alone proves the pool active, status file or not: a mount is (a daemon
   * killed between mounting and writing the status left it), a directory is not.
   */
  readonly adoptable: boolean;
}

const target = (def: PoolDef): string => {
  const t = def.target?.path;
  if (t === undefined) throw new VirtkitError('XML_MISSING', `pool '${def.name}' has no <target><path>`, { details: { pool: def.name } });
  return t;
};

async function isDir(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

async function requireTargetDir(def: PoolDef): Promise<string> {
  const t = target(def);
  if (!(await isDir(t))) {
    throw new VirtkitError('OPERATION_INVALID',
      `cannot start pool '${def.name}': its target directory ${t} does not exist; build the pool first (pool-build, or pool-start --build)`,
      { details: { pool: def.name, path: t } });
  }
  return t;
}

async function buildDir(def: PoolDef): Promise<void> {
  const t = target(def);
  const mode = def.target?.permissions?.mode ?? 0o755;
  try {
    await mkdir(t, { recursive: true, mode });
  } catch (e) {
    throw new VirtkitError('IO_ERROR', `cannot build pool '${def.name}': cannot create ${t}: ${(e as Error).message}`, { cause: e });
  }
}

async function removeDir(def: PoolDef): Promise<void> {
  const t = target(def);
  try {
    await rmdir(t);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    const why = code === 'ENOTEMPTY' ? 'it is not empty (delete its volumes first)' : (e as Error).message;
    throw new VirtkitError(code === 'ENOTEMPTY' ? 'OPERATION_INVALID' : 'IO_ERROR', `cannot delete pool '${def.name}': cannot remove ${t}: ${why}`, {
      details: { pool: def.name, path: t }, cause: e,
    });
  }
}

const dirBackend: PoolBackend = {
  build: buildDir,
  start: async (def) => {
    await requireTargetDir(def);
  },
  stop: async () => undefined,
  remove: removeDir,
  stillActive: (def) => isDir(target(def)),
  adoptable: false,
};

function mountBackend(mounter: Mounter, options: (def: PoolDef) => Promise<MountOptions>): PoolBackend {
  return {
    build: buildDir,
    start: async (def) => {
      const o = await options(def);
      const t = await requireTargetDir(def);
      if (await mounter.isMounted(t)) {
        throw new VirtkitError('OPERATION_INVALID', `cannot start pool '${def.name}': something is already mounted on ${t}`, {
          details: { pool: def.name, path: t },
        });
      }
      await mounter.mount(o);
    },
    stop: async (def) => {
      const t = target(def);
      if (await mounter.isMounted(t)) await mounter.unmount(t);
    },
    remove: removeDir,
    stillActive: (def) => mounter.isMounted(target(def)),
    adoptable: true,
  };
}

async function fsMount(def: PoolDef): Promise<MountOptions> {
  const source = def.source?.device?.[0]?.path;
  if (source === undefined) {
    throw new VirtkitError('XML_MISSING', `cannot start pool '${def.name}': it has no <source><device path=.../>`, { details: { pool: def.name } });
  }
  const s = await stat(source).catch(() => undefined);
  if (!s || !(s.isBlockDevice() || s.isFile())) {
    throw new VirtkitError('OPERATION_INVALID',
      `cannot start pool '${def.name}': its source ${source} ${s ? 'is neither a block device nor an image file' : 'does not exist'}`,
      { details: { pool: def.name, source } });
  }
  const fmt = def.source?.format?.type;
  return { source, target: target(def), fsType: fmt === undefined || fmt === 'auto' ? undefined : fmt, loop: s.isFile() };
}

function netfsMount(mounter: Mounter): (def: PoolDef) => Promise<MountOptions> {
  return async (def) => {
    if (!(await mounter.kernelHas('nfs'))) {
      throw new VirtkitError('HOST_UNSUPPORTED',
        `cannot start netfs pool '${def.name}': this host's kernel has no NFS client (/proc/filesystems lists no 'nfs'); ` +
          'load the nfs module (modprobe nfs) or use a host that has one',
        { details: { pool: def.name, missing: 'nfs' } });
    }
    const host = def.source?.host?.[0]?.name;
    const dir = def.source?.dir?.path;
    if (host === undefined || dir === undefined) {
      throw new VirtkitError('XML_MISSING', `cannot start netfs pool '${def.name}': it needs <source><host name=.../> and <dir path=.../>`, {
        details: { pool: def.name },
      });
    }
    return { source: `${host}:${dir}`, target: target(def), fsType: 'nfs', loop: false };
  };
}

/**
 * An rbd pool has nothing on this host to build, mount or remove: starting it lists the images
 * of its Ceph pool (rbd-volumes.ts), which is also what proves the cluster reachable with the
 * pool's monitors and key. The Ceph pool itself is made and deleted in Ceph (as libvirt, which
 * has no build or delete for rbd pools).
 */
const rbdBackend: PoolBackend = {
  build: async (def) => rbdRefused(def, 'build'),
  start: async () => undefined,
  stop: async () => undefined,
  remove: async (def) => rbdRefused(def, 'delete'),
  stillActive: async () => true,
  adoptable: false,
};

function rbdRefused(def: PoolDef, what: string): never {
  throw new VirtkitError('UNSUPPORTED_OPERATION',
    `cannot ${what} rbd pool '${def.name}': its Ceph pool '${def.source?.name ?? ''}' is made and deleted in Ceph ` +
      "(ceph osd pool create / delete, then rbd pool init); start the pool once it exists",
    { details: { pool: def.name, type: 'rbd' } });
}

export function backendFor(def: PoolDef, mounter: Mounter): PoolBackend {
  switch (def.type) {
    case 'dir': return dirBackend;
    case 'fs': return mountBackend(mounter, fsMount);
    case 'netfs': return mountBackend(mounter, netfsMount(mounter));
    case 'rbd': return rbdBackend;
  }
}
