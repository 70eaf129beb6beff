/**
 * The edit loop of `edit` and `pool-edit` (virsh's): the inactive XML in a private temporary
 * file, $VISUAL / $EDITOR (vi when neither is set) on it, then the caller applies the result.
 * A refused result changes nothing: on a terminal the user may edit again, otherwise the
 * command fails (exit status 1).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { VirtkitError } from '../core/errors.js';
import { CliError, type Context, type Io } from './framework.js';

/** Runs the editor as an argument array (its variable may hold options: "code -w"), never through a shell. */
export function runEditor(io: Io, file: string): Promise<void> {
  const words = (io.env['VISUAL'] ?? io.env['EDITOR'] ?? 'vi').trim().split(/\s+/).filter((w) => w !== '');
  const [bin = 'vi', ...args] = words;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [...args, file], { stdio: io.stdin ? 'inherit' : ['ignore', 'ignore', 'pipe'], env: io.env });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', (e) => reject(new CliError([`cannot run the editor '${bin}': ${e.message}`])));
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new CliError([`the editor '${bin}' failed (${signal ?? `exit status ${code}`})${err.trim() === '' ? '' : `: ${err.trim()}`}`]));
    });
  });
}

async function askAgain(io: Io): Promise<boolean> {
  if (io.stdin === undefined) return false;
  const rl = createInterface({ input: io.stdin, output: process.stdout });
  try {
    return /^y/i.test(await rl.question('Failed. Try again? [y,n]: '));
  } finally {
    rl.close();
  }
}

/** What applying an edited XML gave: the result, or why it was refused (one line each). */
export type EditOutcome<R> = { readonly done: R } | { readonly refused: readonly string[]; readonly cause?: VirtkitError };

/**
 * Edits `original` (saved as `fileName` in a private temp dir) until `apply` accepts the result;
 * undefined when the user changed nothing.
 */
export async function editUntilAccepted<R>(
  ctx: Context, fileName: string, original: string, apply: (edited: string) => Promise<EditOutcome<R>>,
): Promise<R | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'virtkit-edit-'));
  try {
    const file = join(dir, fileName);
    await writeFile(file, original, { mode: 0o600 });
    for (;;) {
      await runEditor(ctx.io, file);
      const edited = await readFile(file, 'utf8');
      if (edited === original) return undefined;
      const out = await apply(edited);
      if ('done' in out) return out.done;
      // Not on a terminal: nobody to ask, so nothing is redefined.
      if (!ctx.io.stdin?.isTTY) throw new CliError([...out.refused, 'the definition was not changed'], out.cause);
      ctx.io.stderr(out.refused.map((l) => `error: ${l}\n`).join(''));
      if (!(await askAgain(ctx.io))) throw new CliError(['the definition was not changed'], out.cause);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
