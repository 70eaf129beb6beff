/**
 * The storage bench's libvirt column: Debian's libvirtd 9.0 from the
 * libvirt-daemon .deb unpacked into .cache/libvirt-daemon/root (never
 * installed), started in a private mount namespace as bench/lib/libvirt-instance.ts
 * does, but loading only its storage and secret drivers (LIBVIRT_DRIVER_DIR:
 * the network and nwfilter modules need libraries this machine lacks, and
 * no QEMU driver is needed for pools) and reached as storage:///system. An
 * overlay of the unpacked /usr/lib on /usr/lib (inside the namespace only)
 * lets it find libvirt_iohelper, which vol-upload and vol-download run.
 * Timings: whole `virsh` processes for vol-list (as a user runs it), and
 * one long-lived `virsh` shell for API calls (virsh-shell.ts: its process start not counted).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot } from '../../tests/helpers/paths.js';
import { canConnect, exited, onCleanup, runTimed, waitUntil, type RunResult } from './proc.js';
import { within } from './qmp.js';
import { VirshShell } from './virsh-shell.js';

const LIBVIRTD_CONF = 'unix_sock_group = "root"\nunix_sock_rw_perms = "0700"\nauth_unix_ro = "none"\nauth_unix_rw = "none"\nlog_outputs = "2:stderr"\n';

/** The unpacked .deb, or why the column is skipped. */
export function findStorageLibvirt(): { root: string } | { skipped: string } {
  const root = resolve(process.env['VIRTKIT_LIBVIRT_ROOT'] ?? join(repoRoot, '.cache', 'libvirt-daemon', 'root'));
  if (!existsSync(join(root, 'usr', 'sbin', 'libvirtd'))) {
    return { skipped: `no libvirtd in ${root} (apt-get download libvirt-daemon && dpkg-deb -x libvirt-daemon_*.deb root, see docs/bench.md)` };
  }
  if (process.getuid?.() !== 0) return { skipped: 'libvirt needs root here (a private mount namespace for its daemon)' };
  if (!existsSync('/etc/libvirt')) return { skipped: 'no /etc/libvirt to mount the private configuration on' };
  return { root };
}

export class StorageLibvirt {
  child: ChildProcess | undefined;
  #stderr = '';
  #shell: VirshShell | undefined;
  readonly #drop: () => void;

  private constructor(readonly dir: string, readonly root: string) {
    this.#drop = onCleanup(() => this.dispose());
  }

  static async start(root: string): Promise<StorageLibvirt> {
    const lv = new StorageLibvirt(await mkdtemp(join(tmpdir(), 'vkb-lvs-')), root);
    const d = lv.dir;
    for (const sub of ['etc', 'run', 'drivers', 'pool', 'var/lib/libvirt', 'var/cache/libvirt', 'var/log/libvirt']) await mkdir(join(d, sub), { recursive: true });
    await symlink('/run', join(d, 'var', 'run'));
    await writeFile(join(d, 'etc', 'libvirtd.conf'), LIBVIRTD_CONF);
    const mods = join(root, 'usr', 'lib', 'x86_64-linux-gnu', 'libvirt');
    for (const m of ['libvirt_driver_storage.so', 'libvirt_driver_secret.so']) await symlink(join(mods, 'connection-driver', m), join(d, 'drivers', m));
    // Paths go in as positional parameters, never into the script.
    const script = 'set -e; d="$0"; mount --bind "$d/etc" /etc/libvirt; mount -t overlay overlay -o lowerdir="$1/usr/lib:/usr/lib" /usr/lib; ' +
      'mount --bind "$d/run" /run; mount --bind "$d/var" /var; export LIBVIRT_DRIVER_DIR="$d/drivers" ' +
      'LIBVIRT_STORAGE_BACKEND_DIR="$2/storage-backend" LIBVIRT_STORAGE_FILE_DIR="$2/storage-file"; exec "$1/usr/sbin/libvirtd"';
    const child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, d, root, mods], { stdio: ['ignore', 'ignore', 'pipe'] });
    lv.child = child;
    child.stderr?.setEncoding('utf8').on('data', (s: string) => { lv.#stderr = (lv.#stderr + s).slice(-4000); });
    await waitUntil('libvirtd to answer virsh pool-list', async () => {
      if (child.exitCode !== null) throw new Error(`libvirtd exited with ${child.exitCode}: ${lv.#stderr}`);
      return (await canConnect(lv.socket)) && (await lv.virsh(['pool-list', '--all'], true)).code === 0;
    }, 60_000, 5);
    return lv;
  }

  get socket(): string {
    return join(this.dir, 'run', 'libvirt', 'libvirt-sock');
  }

  get uri(): string {
    return `storage+unix:///system?socket=${this.socket}`;
  }

  get poolDir(): string {
    return join(this.dir, 'pool');
  }

  virsh(args: readonly string[], allowFail = false): Promise<RunResult> {
    return runTimed('virsh', ['-c', this.uri, ...args], { allowFail, env: { PATH: process.env['PATH'] ?? '', LC_ALL: 'C' } });
  }

  /** One virsh process kept open: each command is timed from its line sent to its output's end. */
  async shell(): Promise<VirshShell> {
    this.#shell ??= await VirshShell.open(this.uri);
    return this.#shell;
  }

  async dispose(): Promise<void> {
    this.#drop();
    this.#shell?.close();
    const c = this.child;
    if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    if (c) await within(exited(c), 20_000, 'libvirtd to exit').catch(() => { c.kill('SIGKILL'); return exited(c); });
    await rm(this.dir, { recursive: true, force: true });
  }
}
