/**
 * Commands sent and not yet answered, keyed by the id we gave them. QEMU
 * answers in order today, but matching by id is what the protocol promises,
 * and it keeps a timed-out command's late reply from being taken for the
 * next command's.
 */
import type { VirtkitError } from '../../core/errors.js';
import { qmpCommandFailed, qmpTimeout } from '../../core/qemu/qmp/errors.js';
import type { QmpError, QmpReturn } from '../../core/qemu/qmp/messages.js';

interface Entry {
  readonly command: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: VirtkitError) => void;
  readonly timer: NodeJS.Timeout | undefined;
}

export class PendingCommands {
  private readonly entries = new Map<string, Entry>();
  /** Ids that timed out: their late replies are dropped quietly. */
  private readonly abandoned = new Set<string>();
  private counter = 0;

  constructor(private readonly prefix = 'virtkit') {}

  /** Registers a command; the promise settles on its reply, its timeout, or `failAll`. */
  add(command: string, timeoutMs: number | undefined): { id: string; reply: Promise<unknown> } {
    const id = `${this.prefix}-${++this.counter}`;
    const reply = new Promise<unknown>((resolve, reject) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        this.entries.delete(id);
        this.abandoned.add(id);
        reject(qmpTimeout(command, timeoutMs));
      }, timeoutMs);
      this.entries.set(id, { command, resolve, reject, timer });
    });
    return { id, reply };
  }

  /** Settles the command a reply belongs to; false when no command waits for it. */
  settle(msg: QmpReturn | QmpError): boolean {
    const id = msg.id === undefined ? undefined : String(msg.id);
    if (id === undefined) return false;
    if (this.abandoned.delete(id)) return true;
    const e = this.entries.get(id);
    if (e === undefined) return false;
    this.entries.delete(id);
    clearTimeout(e.timer);
    if (msg.kind === 'return') e.resolve(msg.value);
    else e.reject(qmpCommandFailed(e.command, msg.errorClass, msg.desc));
    return true;
  }

  /** Settles every waiting command: `outcome` returns the error, or undefined to resolve with `{}`. */
  failAll(outcome: (command: string) => VirtkitError | undefined): void {
    for (const e of this.entries.values()) {
      clearTimeout(e.timer);
      const err = outcome(e.command);
      if (err === undefined) e.resolve({});
      else e.reject(err);
    }
    this.entries.clear();
    this.abandoned.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
