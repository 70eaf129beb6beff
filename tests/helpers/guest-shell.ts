/**
 * Runs commands in the test guest's console shell (kernel switch `virtkit.shell=1`,
 * docs/test-guest.md) over a serial console stream, e.g. the daemon's console session.
 *
 * The tty echoes what we type, so the output is found between two markers that
 * only the shell's printf can produce: the typed line holds `VK-%s-%s` and
 * `VK-END-7-%s`, the output `VK-BEGIN-7` and `VK-END-7-0`.
 */
import type { Duplex } from 'node:stream';

export interface ShellResult {
  /** The command's exit status. */
  readonly code: number;
  /** What it printed (stdout and stderr), with the tty's \r\n turned into \n. */
  readonly output: string;
}

/** Hang guard for one command, not a timing assertion: TCG on a loaded machine can be slow. */
const COMMAND_TIMEOUT_MS = 60_000;

export class GuestShell {
  #text = '';
  #seq = 0;
  #wake: (() => void) | undefined;

  constructor(readonly stream: Duplex) {
    stream.on('data', (c: Buffer) => {
      this.#text += c.toString('utf8');
      this.#wake?.();
    });
  }

  /** Everything the console printed since this shell was attached. */
  get text(): string {
    return this.#text;
  }

  /** Resolves once `text` has appeared on the console (e.g. GUEST_READY_MARKER); fails after `ms`. */
  async waitFor(text: string, ms = COMMAND_TIMEOUT_MS): Promise<void> {
    await this.#until(() => this.#text.includes(text) || undefined, ms, () => `no '${text}' on the console within ${ms} ms`);
  }

  /**
   * Runs `command` (one line of sh, no tabs: ash would complete them) and returns its status and output.
   * Kernel messages printed meanwhile would land in the output; the guest boots with `quiet`.
   */
  async run(command: string, ms = COMMAND_TIMEOUT_MS): Promise<ShellResult> {
    if (/[\n\r\t]/.test(command)) throw new Error(`one line without tabs, please: ${JSON.stringify(command)}`);
    const id = ++this.#seq;
    const from = this.#text.length;
    const done = new RegExp(`VK-BEGIN-${id}\\r?\\n([^]*?)VK-END-${id}-(\\d+)\\r?\\n`);
    this.stream.write(`printf 'VK-%s-%s\\n' BEGIN ${id}; { ${command}; }; printf 'VK-END-${id}-%s\\n' "$?"\n`);
    const m = await this.#until(() => done.exec(this.#text.slice(from)) ?? undefined, ms, () => `no end of '${command}' on the console within ${ms} ms`);
    return { code: Number(m[2]), output: (m[1] ?? '').replace(/\r\n/g, '\n') };
  }

  /** Re-checks `found` whenever console output arrives, until it returns something. */
  async #until<T>(found: () => T | undefined, ms: number, what: () => string): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = found();
      if (v !== undefined) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${what()}; console output:\n${this.#text.slice(-3000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => { clearTimeout(timer); this.#wake = undefined; resolve(); };
      });
    }
  }

  /** Runs `command` and returns its output; fails unless it exits with 0. */
  async check(command: string, ms?: number): Promise<string> {
    const r = await this.run(command, ms);
    if (r.code !== 0) throw new Error(`'${command}' exited with ${r.code}; output:\n${r.output}`);
    return r.output;
  }
}
