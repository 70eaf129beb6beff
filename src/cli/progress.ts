/**
 * A one-line progress bar on stderr for long transfers (vol-upload,
 * vol-download): only when the output is a terminal and not --json, so that
 * scripts and pipes get exactly the command's output. Redrawn at most once
 * per whole percent; ended with a newline.
 */
import type { Context } from './framework.js';
import { prettyCapacity } from './storage.js';

const WIDTH = 30;

export interface Progress {
  update(done: number, total: number): void;
  end(): void;
}

/** The bar's text for `done` of `total` bytes. */
export function progressLine(label: string, done: number, total: number): string {
  const frac = total === 0 ? 1 : Math.min(1, done / total);
  const full = Math.round(frac * WIDTH);
  return `${label} [${'#'.repeat(full)}${' '.repeat(WIDTH - full)}] ${String(Math.floor(frac * 100)).padStart(3)}% ` +
    `${prettyCapacity(done)} / ${prettyCapacity(total)}`;
}

export function progressBar(ctx: Context, label: string): Progress | undefined {
  if (ctx.json || ctx.io.tty !== true) return undefined;
  let shown = -1;
  let drawn = false;
  return {
    update(done, total) {
      const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
      if (pct === shown) return;
      shown = pct;
      drawn = true;
      ctx.io.stderr(`\r${progressLine(label, done, total)}`);
    },
    end() {
      if (drawn) ctx.io.stderr('\n');
    },
  };
}

export interface PercentProgress {
  update(percent: number): void;
  end(): void;
}

/**
 * A job's progress in whole percent (the qemu-img convert of vol-clone and vol-create-from),
 * drawn as virsh draws a job's ("Clone: [ 42 %]"), under the same rules as progressBar: on a
 * terminal only, never with --json, once per whole percent, ended with a newline.
 */
export function percentBar(ctx: Context, label: string): PercentProgress | undefined {
  if (ctx.json || ctx.io.tty !== true) return undefined;
  let shown = -1;
  return {
    update(percent) {
      const pct = Math.max(0, Math.min(100, Math.floor(percent)));
      if (pct === shown) return;
      shown = pct;
      ctx.io.stderr(`\r${label}: [${String(pct).padStart(3)} %]`);
    },
    end() {
      if (shown >= 0) ctx.io.stderr('\n');
    },
  };
}
