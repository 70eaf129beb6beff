/**
 * One `virsh` process kept open (its interactive shell, commands on stdin), so that a timed command is
 * libvirt's API call plus virsh's own work for it, without virsh's process start and connection: each
 * command is timed from its line written to the end of its output. Shared by the benches' libvirt
 * columns (storage, network).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { now } from './proc.js';
import { within } from './qmp.js';

export class VirshShell {
  #out = '';
  #err = '';
  #n = 0;
  #waiter: (() => void) | undefined;

  private constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8').on('data', (s: string) => {
      this.#out += s;
      this.#waiter?.();
    });
    child.stderr?.setEncoding('utf8').on('data', (s: string) => { this.#err += s; });
  }

  /** `virsh -q -c URI` with PATH and LC_ALL=C as its whole environment; resolves once it answers. */
  static async open(uri: string, virsh = 'virsh'): Promise<VirshShell> {
    const child = spawn(virsh, ['-q', '-c', uri], { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '', LC_ALL: 'C' } });
    const sh = new VirshShell(child);
    await sh.run('echo ready');
    return sh;
  }

  /** Runs one command line; resolves with its output and the ms it took. Throws on an `error:` line. */
  async run(line: string, timeoutMs = 120_000): Promise<{ out: string; ms: number }> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`virsh shell exited (${this.child.exitCode ?? this.child.signalCode}): ${this.#err.trim()}`);
    const mark = `__vkb_${++this.#n}__`;
    this.#out = '';
    this.#err = '';
    const t0 = now();
    const done = new Promise<void>((resolve) => {
      // The shell echoes each line it reads: the mark counts only as echo's output, not in the echoed command.
      this.#waiter = () => { if (new RegExp(`(?<!echo )${mark}`).test(this.#out)) resolve(); };
    });
    this.child.stdin?.write(`${line}\necho ${mark}\n`);
    await within(done, timeoutMs, `virsh: ${line}`);
    const ms = now() - t0;
    if (/error:/.test(this.#err)) throw new Error(`virsh ${line}: ${this.#err.trim()}`);
    return { out: this.#out.slice(0, this.#out.indexOf(mark)), ms };
  }

  close(): void {
    this.child.stdin?.end();
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
  }
}
