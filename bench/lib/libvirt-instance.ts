/**
 * A private libvirt for the benches: virtlogd and libvirtd started by the bench
 * itself in a private mount namespace (`unshare --mount`), with /etc/libvirt,
 * /run and /var bound to a temp dir, so nothing of the host's libvirt (if any)
 * is seen or touched. QEMU runs as root, no security driver, no cgroups
 * (there are none to use in this container). Debian's libvirtd looks the
 * 'libvirt-qemu' user up before reading qemu.conf, and only
 * libvirt-daemon-system creates that user, so the namespace also gets its
 * own /etc/passwd and /etc/group with it added. virsh connects from outside
 * with `qemu+unix:///system?socket=DIR/run/libvirt/libvirt-sock`. Used by
 * bench/lifecycle, bench/install, bench/network (started inside a network
 * namespace: `wrap`) and bench/storage (a LibvirtSetup: only some drivers, from
 * an unpacked .deb).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { GUEST_READY_MARKER } from './guest.js';
import { alive, canConnect, exited, killQuietly, now, onCleanup, rssKiB, runTimed, sleep, waitUntil, type RunResult } from './proc.js';
import { MarkerWatch, within } from './qmp.js';
import { VirshShell } from './virsh-shell.js';

export interface LibvirtBins {
  libvirtd: string;
  /** '' for none (a daemon without domains needs no log daemon). */
  virtlogd: string;
  virsh: string;
  describe: string;
}

/** How libvirtd is set up beyond the defaults (all installed drivers, qemu:///system). */
export interface LibvirtSetup {
  /** The URI's driver: `qemu` by default; `storage` for a daemon with only the storage driver. */
  scheme?: string;
  /** Only these connection driver modules (paths) are loaded: LIBVIRT_DRIVER_DIR names a dir of links to them. */
  drivers?: readonly string[];
  /** Added to libvirtd's environment (e.g. LIBVIRT_STORAGE_BACKEND_DIR). */
  env?: Record<string, string>;
  /** A tree (an unpacked .deb) whose usr/lib is overlaid on /usr/lib inside the namespace (its helpers found there). */
  overlayRoot?: string;
  /** The virsh command that answers once libvirtd is ready (default `list --all --name`). */
  ready?: readonly string[];
}

const LIBVIRTD_CONF = `unix_sock_group = "root"
unix_sock_rw_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
log_outputs = "2:stderr"
`;
const QEMU_CONF = `user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
`;

export class LibvirtInstance {
  child: ChildProcess | undefined;
  #stderr = '';
  #shell: VirshShell | undefined;
  readonly #dropCleanup: () => void;

  private constructor(readonly dir: string, readonly bins: LibvirtBins, readonly setup: LibvirtSetup) {
    this.#dropCleanup = onCleanup(() => this.dispose());
  }

  static async create(bins: LibvirtBins, setup: LibvirtSetup = {}): Promise<LibvirtInstance> {
    const dir = await mkdtemp(join(tmpdir(), 'vkb-lv-'));
    const inst = new LibvirtInstance(dir, bins, setup);
    for (const d of ['etc', 'run', 's', 'xml', 'drivers', 'var/lib/libvirt', 'var/cache/libvirt', 'var/log/libvirt', 'var/tmp']) {
      await mkdir(join(dir, d), { recursive: true });
    }
    for (const m of setup.drivers ?? []) await symlink(m, join(dir, 'drivers', basename(m)));
    await symlink('/run', join(dir, 'var', 'run'));
    await writeFile(join(dir, 'etc', 'libvirtd.conf'), LIBVIRTD_CONF);
    await writeFile(join(dir, 'etc', 'qemu.conf'), QEMU_CONF);
    await writeFile(join(dir, 'etc', 'virtlogd.conf'), 'log_outputs = "2:stderr"\n');
    const passwd = readFileSync('/etc/passwd', 'utf8');
    const group = readFileSync('/etc/group', 'utf8');
    await writeFile(join(dir, 'passwd'), passwd + (/^libvirt-qemu:/m.test(passwd) ? '' : 'libvirt-qemu:x:64055:64055::/var/lib/libvirt:/usr/sbin/nologin\n'));
    await writeFile(join(dir, 'group'), group + ['libvirt-qemu', 'kvm', 'libvirt']
      .filter((g) => !new RegExp(`^${g}:`, 'm').test(group)).map((g, i) => `${g}:x:${64055 + i}:\n`).join(''));
    return inst;
  }

  get socket(): string {
    return join(this.dir, 'run', 'libvirt', 'libvirt-sock');
  }

  get uri(): string {
    return `${this.setup.scheme ?? 'qemu'}+unix:///system?socket=${this.socket}`;
  }

  serialSocket(name: string): string {
    return join(this.dir, 's', `${name}.sock`);
  }

  virtlogdPid(): number | undefined {
    try {
      return Number(readFileSync(join(this.dir, 'run', 'virtlogd.pid'), 'utf8').trim()) || undefined;
    } catch {
      return undefined;
    }
  }

  /** VmRSS of libvirtd plus virtlogd, MiB. */
  rssMiB(): number {
    const l = rssKiB(this.child?.pid ?? -1) ?? NaN;
    const v = rssKiB(this.virtlogdPid() ?? -1) ?? 0;
    return (l + v) / 1024;
  }

  /**
   * Spawns virtlogd + libvirtd; resolves with spawn -> the first `virsh list --all` answered, in ms.
   * `wrap` goes in front of the command (e.g. `ip netns exec NS`: the daemons, their dnsmasq, QEMU and
   * firewall rules then live in that network namespace).
   */
  async startDaemon(wrap: readonly string[] = []): Promise<number> {
    // Paths go in as positional parameters ($0 the dir, $1 virtlogd or '', $2 libvirtd, $3 the overlay's tree or ''), never into the script.
    const script = 'set -e; d="$0"; mount --bind "$d/etc" /etc/libvirt; mount --bind "$d/passwd" /etc/passwd; ' +
      'mount --bind "$d/group" /etc/group; if [ -n "$3" ]; then mount -t overlay overlay -o lowerdir="$3/usr/lib:/usr/lib" /usr/lib; fi; ' +
      'mount --bind "$d/run" /run; mount --bind "$d/var" /var; if [ -n "$1" ]; then "$1" & fi; exec "$2"';
    const t0 = now();
    // unshare (and `ip netns exec`) execs sh, which execs libvirtd: the child's pid is libvirtd's. virtlogd is its own process (pidfile).
    const argv = [...wrap, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, this.dir, this.bins.virtlogd, this.bins.libvirtd, this.setup.overlayRoot ?? ''];
    const env = { ...process.env, ...this.setup.env, ...(this.setup.drivers ? { LIBVIRT_DRIVER_DIR: join(this.dir, 'drivers') } : {}) };
    const child = spawn(argv[0] as string, argv.slice(1), {
      stdio: ['ignore', 'ignore', 'pipe'], env,
    });
    this.child = child;
    this.#stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (s: string) => { this.#stderr = (this.#stderr + s).slice(-4000); });
    const ready = this.setup.ready ?? ['list', '--all', '--name'];
    await waitUntil(`libvirtd to answer virsh ${ready.join(' ')}`, async () => {
      if (child.exitCode !== null) throw new Error(`libvirtd exited with ${child.exitCode}: ${this.#stderr}`);
      if (!(await canConnect(this.socket))) return false;
      return (await this.virsh(ready, true)).code === 0;
    }, 60_000, 1);
    return now() - t0;
  }

  async stopDaemon(): Promise<void> {
    this.#shell?.close();
    this.#shell = undefined;
    const c = this.child;
    if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    if (c) await within(exited(c), 20_000, 'libvirtd to exit').catch(() => { c.kill('SIGKILL'); return exited(c); });
    this.child = undefined;
    const v = this.virtlogdPid();
    killQuietly(v, 'SIGTERM');
    if (v !== undefined) await waitUntil('virtlogd to exit', () => !alive(v), 5_000, 5).catch(() => killQuietly(v));
    await rm(join(this.dir, 'run', 'virtlogd.pid'), { force: true });
  }

  virsh(args: readonly string[], allowFail = false): Promise<RunResult> {
    return runTimed(this.bins.virsh, ['-c', this.uri, ...args], { allowFail, env: { PATH: process.env['PATH'] ?? '', LC_ALL: 'C' } });
  }

  /** One virsh kept open (virsh-shell.ts) for API-level timings; closed when the daemon stops. */
  async shell(): Promise<VirshShell> {
    this.#shell ??= await VirshShell.open(this.uri, this.bins.virsh);
    return this.#shell;
  }

  /** Connects to the guest's serial socket (retrying) and resolves with the time the marker arrived. */
  async marker(name: string, timeoutMs = 60_000): Promise<number> {
    const path = this.serialSocket(name);
    const w = new MarkerWatch(GUEST_READY_MARKER);
    const deadline = now() + timeoutMs;
    for (;;) {
      const s = await new Promise<ReturnType<typeof connect> | undefined>((resolve) => {
        const c = connect(path);
        c.once('connect', () => resolve(c));
        c.once('error', () => resolve(undefined));
      });
      if (s) {
        s.on('data', (b: Buffer) => w.feed(b));
        s.on('error', () => undefined);
        try {
          return await within(w.seen, Math.max(1, deadline - now()), `guest marker of ${name} on ${path}`);
        } finally {
          s.destroy();
        }
      }
      if (now() > deadline) throw new Error(`serial socket ${path} of ${name} did not answer`);
      await sleep(1);
    }
  }

  /** QEMU pids from libvirt's NAME.pid files (driver.pid is libvirtd's own). */
  qemuPids(): number[] {
    const d = join(this.dir, 'run', 'libvirt', 'qemu');
    if (!existsSync(d)) return [];
    return readdirSync(d).filter((f) => f.endsWith('.pid') && f !== 'driver.pid').flatMap((f) => {
      try {
        return [Number(readFileSync(join(d, f), 'utf8').trim())];
      } catch {
        return [];
      }
    }).filter((p) => p > 0);
  }

  async destroyAll(): Promise<void> {
    const running = (await this.virsh(['list', '--name', '--state-running', '--state-paused'])).stdout.split('\n').filter((l) => l.trim() !== '');
    for (const n of running) await this.virsh(['destroy', n]);
  }

  /** Destroys guests, stops libvirtd and virtlogd, kills any QEMU left, removes the dir. Idempotent. */
  async dispose(): Promise<void> {
    this.#dropCleanup();
    if (this.child?.exitCode === null && (this.setup.scheme ?? 'qemu') === 'qemu') await this.destroyAll().catch(() => undefined);
    const left = this.qemuPids().filter(alive);
    await this.stopDaemon();
    for (const p of left) killQuietly(p);
    if (left.length > 0) await waitUntil('QEMU left by libvirt to exit', () => left.every((p) => !alive(p)), 10_000, 5).catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
    if (left.length > 0) throw new Error(`libvirt left ${left.length} QEMU process(es) running (${left.join(' ')}); killed them`);
  }
}
