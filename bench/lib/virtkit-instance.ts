/**
 * A rooted virtkit instance in a temp dir for the bench: `virtkitd --root DIR`
 * as a child process, the typed client, the CLI as a child process, the
 * console marker, and a clean-up that leaves no daemon, QEMU, socket or dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtkitClient } from '../../src/client/client.js';
import { repoRoot } from '../../tests/helpers/paths.js';
import { GUEST_READY_MARKER } from './guest.js';
import { alive, canConnect, exited, killQuietly, now, onCleanup, runTimed, sleep, waitUntil, type RunResult } from './proc.js';
import { MarkerWatch, within } from './qmp.js';

export const VIRTKITD = join(repoRoot, 'bin', 'virtkitd');
export const VIRTKIT = join(repoRoot, 'bin', 'virtkit');

export class VirtkitInstance {
  child: ChildProcess | undefined;
  client: VirtkitClient;
  #stderr = '';
  readonly #dropCleanup: () => void;

  private constructor(readonly root: string) {
    this.client = new VirtkitClient({ root, autoStart: false });
    this.#dropCleanup = onCleanup(() => this.dispose());
  }

  static async create(): Promise<VirtkitInstance> {
    // Short: the daemon's socket path must fit in 107 bytes.
    return new VirtkitInstance(await mkdtemp(join(tmpdir(), 'vkb-')));
  }

  get socket(): string {
    return join(this.root, 'run', 'virtkitd.sock');
  }

  get pid(): number {
    return this.child?.pid ?? -1;
  }

  /**
   * Spawns virtkitd and times, from spawn(): its socket accepting a
   * connection, then the first `GET /v1/domains` answered (what `virtkit
   * list` needs: the driver is not loaded for it). `env` is added to the
   * bench's own environment (e.g. VIRTKITD_V8_DEFAULTS=1); `bin` another build's virtkitd (A/B); `wrap`
   * goes in front of the command (`ip netns exec NS`: the daemon's networks and guests live there; the
   * socket is a path, reached from any network namespace).
   */
  async startDaemon(env: Record<string, string> = {}, bin = VIRTKITD, wrap: readonly string[] = []): Promise<{ t0: number; socketMs: number; listMs: number }> {
    this.client.close();
    const t0 = now();
    const argv = [...wrap, process.execPath, bin, '--root', this.root, '--no-autostart'];
    const child = spawn(argv[0] as string, argv.slice(1), {
      stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env },
    });
    this.child = child;
    this.#stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => { this.#stderr = (this.#stderr + d).slice(-4000); });
    await waitUntil('virtkitd to accept on its socket', async () => {
      if (child.exitCode !== null) throw new Error(`virtkitd exited with ${child.exitCode}: ${this.#stderr}`);
      return canConnect(this.socket);
    }, 30_000, 1);
    const socketMs = now() - t0;
    this.client = new VirtkitClient({ root: this.root, autoStart: false });
    await this.client.listDomains();
    return { t0, socketMs, listMs: now() - t0 };
  }

  /** SIGTERM (guests keep running), then wait for the daemon's exit and its socket to go. */
  async stopDaemon(): Promise<void> {
    const c = this.child;
    if (!c) return;
    this.client.close();
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await within(exited(c), 15_000, 'virtkitd to exit after SIGTERM').catch(() => { c.kill('SIGKILL'); return exited(c); });
    this.child = undefined;
  }

  /** `virtkit --root DIR ARGS...` as its own process: wall time of the whole command. `env` is added to PATH. */
  cli(args: readonly string[], env: Record<string, string> = {}): Promise<RunResult> {
    return runTimed(process.execPath, [VIRTKIT, '--root', this.root, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env } });
  }

  /** Opens the console right away and resolves with the time the guest's marker arrived. */
  async marker(name: string, timeoutMs = 60_000): Promise<number> {
    const con = await this.client.console(name);
    const w = new MarkerWatch(GUEST_READY_MARKER);
    con.onData((d) => w.feed(d));
    try {
      return await within(w.seen, timeoutMs, `guest marker of ${name} on the virtkit console (got: ${JSON.stringify(w.tail())})`);
    } finally {
      con.close();
    }
  }

  /** Pids of QEMUs this instance runs, from their runtime dirs. */
  qemuPids(): number[] {
    const d = join(this.root, 'run', 'd');
    if (!existsSync(d)) return [];
    return readdirSync(d).flatMap((u) => {
      try {
        return [Number(readFileSync(join(d, u, 'qemu.pid'), 'utf8').trim())];
      } catch {
        return [];
      }
    }).filter((p) => p > 0);
  }

  async destroyAll(): Promise<void> {
    for (const d of await this.client.listDomains({ active: true })) {
      await this.client.action(d.name, 'destroy', {});
    }
  }

  /** Destroys guests, stops the daemon, kills any QEMU left, removes the dir. Idempotent. */
  async dispose(): Promise<void> {
    this.#dropCleanup();
    if (this.child?.exitCode === null) await this.destroyAll().catch(() => undefined);
    await this.stopDaemon().catch(() => killQuietly(this.child?.pid));
    const left = this.qemuPids().filter(alive);
    for (const p of left) killQuietly(p);
    // QEMU is gone when its monitor socket refuses (PID 1 may reap it late).
    const socks = existsSync(join(this.root, 'run', 'd'))
      ? readdirSync(join(this.root, 'run', 'd')).map((u) => join(this.root, 'run', 'd', u, 'qmp.sock')) : [];
    for (const s of socks) {
      await waitUntil(`QEMU of ${s} to go`, async () => !(await canConnect(s)), 10_000, 5).catch(() => undefined);
    }
    if (left.length > 0) await sleep(20);
    await rm(this.root, { recursive: true, force: true });
    if (left.length > 0) throw new Error(`virtkit left ${left.length} QEMU process(es) running (${left.join(' ')}); killed them`);
  }
}
