/**
 * Runs the project script that builds (or reuses) the tiny bootable disk image,
 * scripts/build-tiny-image.sh (docs/test-guest.md, "The tiny disk image"), for `virtkit image build`.
 * The CLI may not reach src/host, and the build is the script's (it needs root, apt and a loop
 * mount): so it runs here, on the CLI's machine, as an argument array, never through a shell.
 * Its log lines go to the CLI's stderr as they come; its last line of stdout is the image's path.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { VirtkitError } from '../core/errors.js';
import type { Io } from './framework.js';

// Every CLI module sits at dist/src/cli/ (the bundle keeps that URL), three levels below the checkout.
export const TINY_IMAGE_SCRIPT = fileURLToPath(new URL('../../../scripts/build-tiny-image.sh', import.meta.url));

/** Builds the image unless cached (`force`: always) and returns its path. */
export function buildTinyImage(io: Io, opts: { force?: boolean; script?: string } = {}): Promise<string> {
  const script = opts.script ?? TINY_IMAGE_SCRIPT;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, ...(opts.force === true ? ['--force'] : [])], {
      cwd: io.cwd, env: io.env, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      io.stderr(d);
    });
    const failed = (why: string, cause?: unknown) => new VirtkitError('IMAGE_BUILD_FAILED',
      `${script} ${why}${err.trim() === '' ? '' : `: ${err.trim().split('\n').at(-1) ?? ''}`}`,
      { details: { script }, ...(cause === undefined ? {} : { cause }) });
    child.on('error', (e) => reject(failed(`could not run: ${e.message}`, e)));
    child.on('close', (code, signal) => {
      const path = out.trimEnd().split('\n').at(-1) ?? '';
      if (code === 0 && path.startsWith('/')) resolve(path);
      else reject(failed(code === 0 ? 'printed no image path' : `failed (${signal ?? `exit status ${code}`})`));
    });
  });
}
