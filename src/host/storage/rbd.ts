/**
 * A Ceph cluster reached with the `rbd` and `rados` tools of ceph-common, as libvirt's
 * storage_backend_rbd reaches it with librados: the monitors of the pool's <source><host>,
 * the user of its <auth> and that user's cephx key (or no authentication at all:
 * auth_supported=none, as libvirt sets it for a pool without <auth>). Each call writes a
 * ceph.conf (and a keyring holding the key, base64 as Ceph writes it) into a private 0700
 * temp directory that is removed afterwards: the key is never on a command line. Every call
 * is bounded: librados' own mount and operation timeouts, and a hard kill past them.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtkitError } from '../../core/errors.js';

export interface RbdMonitor {
  readonly name: string;
  readonly port?: number | undefined;
}

export interface RbdAccess {
  readonly monitors: readonly RbdMonitor[];
  /** The cephx user without its `client.` prefix (libvirt's <auth username>); none: no authentication. */
  readonly user?: string | undefined;
  /** The user's key as bytes (the value of a 'ceph' secret). */
  readonly key?: Uint8Array | undefined;
}

export interface RbdImage {
  readonly name: string;
  /** Bytes the image offers (its provisioned size). */
  readonly capacity: number;
  /** Bytes its objects use in the cluster (rbd du; 0 when fast-diff cannot tell it cheaply). */
  readonly allocation: number;
}

export interface RbdImageInfo {
  readonly size: number;
  /** librbd's feature names: layering, exclusive-lock, object-map, fast-diff, deep-flatten... */
  readonly features: readonly string[];
  /** The snapshot a clone was made from (in the default namespace). */
  readonly parent?: { readonly pool: string; readonly image: string; readonly snapshot: string };
}

export interface RbdSnapshot {
  readonly name: string;
  readonly protected: boolean;
}

export interface ClusterSpace {
  readonly capacity: number;
  readonly allocation: number;
  readonly available: number;
}

/** Seconds librados waits for the monitors, and for one monitor or OSD operation. */
const MOUNT_TIMEOUT_S = 20;
const OP_TIMEOUT_S = 60;
/** The hard limit of one tool run, past librados' own. */
const KILL_AFTER_MS = (MOUNT_TIMEOUT_S + OP_TIMEOUT_S + 10) * 1000;

export type RbdRunner = (bin: string, args: readonly string[], timeoutMs: number) => Promise<string>;

const runBounded: RbdRunner = (bin, args, timeoutMs) => new Promise((resolve, reject) => {
  execFile(bin, [...args], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: timeoutMs, killSignal: 'SIGKILL', env: { ...process.env, LC_ALL: 'C' } },
    (err, stdout, stderr) => (err ? reject(Object.assign(err, { stderr })) : resolve(stdout)));
});

/** A monitor as the messages name it (an IPv6 address in brackets). */
function monitorAddr(m: RbdMonitor): string {
  const host = m.name.includes(':') ? `[${m.name}]` : m.name;
  return m.port === undefined ? host : `${host}:${m.port}`;
}

/**
 * A monitor as ceph.conf's `mon host` takes it: a libvirt <host port='P'/> is msgr v1 unless P
 * is 3300 (msgr v2's port), as QEMU's librados reads it; without a port both defaults are tried.
 */
function monHost(m: RbdMonitor): string {
  if (m.port === undefined) return monitorAddr(m);
  return `${m.port === 3300 ? 'v2' : 'v1'}:${monitorAddr(m)}`;
}

/** Refuses values that would end a ceph.conf line early (a monitor name or user with a newline). */
function confValue(what: string, v: string): string {
  if (!/^[A-Za-z0-9._:\-[\]]+$/.test(v)) throw new VirtkitError('INVALID_ARGUMENT', `${what} '${v}' is not a host name, address or Ceph user name`, { details: { [what]: v } });
  return v;
}

export function cephConf(access: RbdAccess, keyring: string | undefined): string {
  if (access.monitors.length === 0) throw new VirtkitError('XML_MISSING', 'a Ceph cluster needs at least one monitor (<source><host>)');
  const mons = access.monitors.map((m) => confValue('monitor', monHost(m))).join(',');
  const lines = ['[global]', `mon host = ${mons}`, `client mount timeout = ${MOUNT_TIMEOUT_S}`,
    `rados mon op timeout = ${OP_TIMEOUT_S}`, `rados osd op timeout = ${OP_TIMEOUT_S}`, 'log to stderr = false', 'err to stderr = true'];
  if (keyring === undefined) lines.push('auth supported = none', 'auth client required = none');
  else lines.push('auth client required = cephx', `keyring = ${keyring}`);
  return `${lines.join('\n')}\n`;
}

/** What a tool's error says, as one clear VirtkitError (a refused key says so). */
function toolError(access: RbdAccess, what: string, e: unknown): VirtkitError {
  const err = e as NodeJS.ErrnoException & { stderr?: string; killed?: boolean };
  if (err.code === 'ENOENT') {
    return new VirtkitError('HOST_UNSUPPORTED', `cannot ${what}: the Ceph tools (rbd, rados) are not installed; install ceph-common`, { cause: e });
  }
  const all = (err.stderr ?? '').trim();
  // librados' own log lines (timestamped) are noise in a message; the tool's last words are not.
  const lines = all.split('\n').filter((l) => l.trim() !== '');
  const plain = lines.filter((l) => !/^\d{4}-\d\d-\d\dT/.test(l));
  const said = (plain.length > 0 ? plain : lines).slice(-2).join('; ') || err.message;
  const mons = access.monitors.map(monitorAddr).join(',');
  const details = { monitors: mons, ...(access.user === undefined ? {} : { user: access.user }) };
  if (err.killed === true) {
    return new VirtkitError('STORAGE_FAILED', `cannot ${what}: the Ceph cluster at ${mons} did not answer within ${KILL_AFTER_MS / 1000} s`, { details, cause: e });
  }
  // The rbd tool exits with the errno: 13 (EACCES) is a refused key (it only says "couldn't connect").
  if ((err.code as unknown) === 13 || /permission denied|errno 13|EACCES/i.test(all)) {
    const who = access.user === undefined ? 'without authentication' : `as client.${access.user}`;
    return new VirtkitError('STORAGE_FAILED',
      `cannot ${what}: the Ceph cluster at ${mons} refused the connection ${who} (${said}); check the user, its key ` +
        "(the value of the pool's 'ceph' secret) and its capabilities", { details: { ...details, reason: 'auth' }, cause: e });
  }
  return new VirtkitError('STORAGE_FAILED', `cannot ${what}: ${said}`, { details, cause: e });
}

export class RbdClient {
  constructor(private readonly access: RbdAccess, private readonly run: RbdRunner = runBounded) {}

  /**
   * Runs `fn` with the path of a private ceph.conf for this cluster (and the keyring it names,
   * 0600, in the same 0700 temp dir): for the rbd tool and for qemu-img's rbd driver (conf=),
   * so that the key is never on a command line. The directory goes afterwards.
   */
  async withConf<T>(fn: (conf: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(join(tmpdir(), 'virtkit-rbd-'));
    try {
      const a = this.access;
      let keyring: string | undefined;
      if (a.user !== undefined) {
        if (a.key === undefined) throw new VirtkitError('INTERNAL_ERROR', `no key for Ceph user '${a.user}'`);
        keyring = join(dir, 'keyring');
        const user = confValue('user', a.user);
        await writeFile(keyring, `[client.${user}]\n\tkey = ${Buffer.from(a.key).toString('base64')}\n`, { mode: 0o600 });
      }
      const conf = join(dir, 'ceph.conf');
      await writeFile(conf, cephConf(a, keyring), { mode: 0o600 });
      return await fn(conf);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** The cephx user qemu-img's rbd driver connects as (user=), if any. */
  get user(): string | undefined {
    return this.access.user;
  }

  /** Runs `bin` with a private ceph.conf (and keyring) for this cluster. */
  #tool(bin: 'rbd' | 'rados', args: readonly string[], what: string): Promise<string> {
    return this.withConf(async (conf) => {
      const id = this.access.user === undefined ? [] : ['--id', this.access.user];
      try {
        return await this.run(bin, ['-c', conf, ...id, ...args], KILL_AFTER_MS);
      } catch (e) {
        throw toolError(this.access, what, e);
      }
    });
  }

  /** The pool's images with their provisioned and used sizes (`rbd du`); also proves the cluster answers. */
  async images(pool: string): Promise<RbdImage[]> {
    const out = await this.#tool('rbd', ['du', '--format', 'json', '--pool', pool], `list the images of Ceph pool '${pool}'`);
    const parsed = JSON.parse(out || '{}') as { images?: { name: string; snapshot?: string; provisioned_size: number; used_size: number }[] };
    return (parsed.images ?? []).filter((i) => i.snapshot === undefined)
      .map((i) => ({ name: i.name, capacity: i.provisioned_size, allocation: i.used_size }))
      .sort((x, y) => x.name.localeCompare(y.name));
  }

  /** One image's size, or undefined when there is no such image. */
  async image(pool: string, name: string): Promise<RbdImage | undefined> {
    return (await this.images(pool)).find((i) => i.name === name);
  }

  /** Opens `spec` (POOL/IMAGE or POOL/NAMESPACE/IMAGE) read-only and reads its header (`rbd info`): the key, the image. */
  async probe(spec: string): Promise<void> {
    await this.#tool('rbd', ['info', '--format', 'json', spec], `open rbd image '${spec}'`);
  }

  /** The cluster's raw space (rados df: what libvirt's rados_cluster_stat reads). */
  async space(): Promise<ClusterSpace> {
    const out = await this.#tool('rados', ['df', '--format', 'json'], 'read the space of the Ceph cluster');
    const p = JSON.parse(out || '{}') as { total_space?: number; total_used?: number; total_avail?: number };
    // rados df answers in KiB.
    return { capacity: (p.total_space ?? 0) * 1024, allocation: (p.total_used ?? 0) * 1024, available: (p.total_avail ?? 0) * 1024 };
  }

  /** A format 2 image of `bytes` (libvirt: rbd_create3 with the default features). */
  async create(pool: string, name: string, bytes: number): Promise<void> {
    await this.#tool('rbd', ['create', '--image-format', '2', '--size', `${bytes}B`, `${pool}/${name}`], `create image '${name}' in Ceph pool '${pool}'`);
  }

  async remove(pool: string, name: string): Promise<void> {
    await this.#tool('rbd', ['rm', '--no-progress', `${pool}/${name}`], `delete image '${name}' of Ceph pool '${pool}'`);
  }

  async resize(pool: string, name: string, bytes: number, shrink: boolean): Promise<void> {
    await this.#tool('rbd', ['resize', '--no-progress', '--size', `${bytes}B`, ...(shrink ? ['--allow-shrink'] : []), `${pool}/${name}`],
      `resize image '${name}' of Ceph pool '${pool}'`);
  }

  /** The image's features and, for a clone, its parent (`rbd info`). */
  async info(pool: string, name: string): Promise<RbdImageInfo> {
    const out = await this.#tool('rbd', ['info', '--format', 'json', `${pool}/${name}`], `read image '${name}' of Ceph pool '${pool}'`);
    const i = JSON.parse(out || '{}') as { size?: number; features?: string[]; parent?: { pool: string; pool_namespace?: string; image: string; snapshot: string } };
    const p = i.parent;
    return {
      size: i.size ?? 0, features: i.features ?? [],
      ...(p === undefined || p.pool_namespace ? {} : { parent: { pool: p.pool, image: p.image, snapshot: p.snapshot } }),
    };
  }

  /** The image's snapshots, oldest first (`rbd snap ls`). */
  async snapshots(pool: string, name: string): Promise<RbdSnapshot[]> {
    const out = await this.#tool('rbd', ['snap', 'ls', '--format', 'json', `${pool}/${name}`], `list the snapshots of image '${name}' of Ceph pool '${pool}'`);
    return (JSON.parse(out || '[]') as { name: string; protected?: string }[]).map((s) => ({ name: s.name, protected: s.protected === 'true' }));
  }

  /** Whether the image has changed since its snapshot `snap` (`rbd diff --from-snap`, fast-diff where the image has it). */
  async changedSince(pool: string, name: string, snap: string): Promise<boolean> {
    const out = await this.#tool('rbd', ['diff', '--from-snap', snap, '--format', 'json', `${pool}/${name}`], `compare image '${name}' with its snapshot '${snap}'`);
    return (JSON.parse(out || '[]') as unknown[]).length > 0;
  }

  /** snap create, protect, unprotect or rm of `POOL/IMAGE@SNAP`. */
  async snap(op: 'create' | 'protect' | 'unprotect' | 'rm', pool: string, name: string, snap: string): Promise<void> {
    await this.#tool('rbd', ['snap', op, ...(op === 'rm' || op === 'create' ? ['--no-progress'] : []), `${pool}/${name}@${snap}`],
      `${op === 'rm' ? 'remove' : op} snapshot '${snap}' of image '${name}' of Ceph pool '${pool}'`);
  }

  /** The images cloned from `POOL/IMAGE@SNAP` (`rbd children`). */
  async children(pool: string, name: string, snap: string): Promise<string[]> {
    const out = await this.#tool('rbd', ['children', '--format', 'json', `${pool}/${name}@${snap}`], `list the clones of '${pool}/${name}@${snap}'`);
    return (JSON.parse(out || '[]') as { pool: string; image: string }[]).map((c) => `${c.pool}/${c.image}`);
  }

  /** A copy-on-write clone of the protected snapshot `POOL/IMAGE@SNAP` (librbd's rbd_clone). */
  async clone(pool: string, name: string, snap: string, newName: string): Promise<void> {
    await this.#tool('rbd', ['clone', `${pool}/${name}@${snap}`, `${pool}/${newName}`], `clone image '${name}' of Ceph pool '${pool}' as '${newName}'`);
  }

  /** A full copy of the image's data into a new image (`rbd cp`: allocated extents only). */
  async copy(pool: string, name: string, newName: string): Promise<void> {
    await this.#tool('rbd', ['cp', '--no-progress', `${pool}/${name}`, `${pool}/${newName}`], `copy image '${name}' of Ceph pool '${pool}' to '${newName}'`);
  }
}
