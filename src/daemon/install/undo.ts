/**
 * What an install has made so far, to be taken back in reverse order when a later step fails
 * (virt-install's cleanup_created_disks, for every kind of thing the command makes). An undo step
 * that fails is reported, not thrown: the others still run, and the caller says what is left.
 */
import { errorText, type Logger } from '../engine/context.js';

export interface UndoReport {
  /** What was taken back, in the order it was (the reverse of making). */
  readonly undone: string[];
  /** What could not be taken back, with why: it is still on the host. */
  readonly leftBehind: Array<{ readonly what: string; readonly error: string }>;
}

export class UndoStack {
  readonly #steps: Array<{ what: string; undo: () => Promise<void> }> = [];

  /** Records that `what` was made and how to remove it. */
  push(what: string, undo: () => Promise<void>): void {
    this.#steps.push({ what, undo });
  }

  get size(): number {
    return this.#steps.length;
  }

  /** Runs every undo step, newest first; never throws. */
  async unwind(log: Logger): Promise<UndoReport> {
    const report: UndoReport = { undone: [], leftBehind: [] };
    for (let step = this.#steps.pop(); step !== undefined; step = this.#steps.pop()) {
      try {
        await step.undo();
        report.undone.push(step.what);
      } catch (e) {
        log.error(`install: cannot remove ${step.what} again: ${errorText(e)}`);
        report.leftBehind.push({ what: step.what, error: errorText(e) });
      }
    }
    return report;
  }
}
