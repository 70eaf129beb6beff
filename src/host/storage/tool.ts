/**
 * Runs a storage tool (mount, umount, qemu-img, fallocate) with an argument
 * array, never a shell. A failure becomes STORAGE_FAILED quoting the tool's
 * own error lines, or NO_SPACE when the tool ran out of room.
 */
import { execFile } from 'node:child_process';
import { VirtkitError } from '../../core/errors.js';

export interface ToolResult {
  readonly stdout: string;
  readonly stderr: string;
}

export type ToolRunner = (bin: string, args: readonly string[]) => Promise<ToolResult>;

const NO_SPACE_RE = /No space left on device|ENOSPC|Disk quota exceeded/i;

/** Whether a tool's error text (or an errno) says the file system is full. */
export function isNoSpace(text: string): boolean {
  return NO_SPACE_RE.test(text);
}

export const runTool: ToolRunner = (bin, args) => new Promise((resolve, reject) => {
  execFile(bin, [...args], { encoding: 'utf8', maxBuffer: 16 << 20, env: { ...process.env, LC_ALL: 'C' } }, (err, stdout, stderr) => {
    if (!err) {
      resolve({ stdout, stderr });
      return;
    }
    const code = (err as NodeJS.ErrnoException).code;
    const said = stderr.trim() || stdout.trim() || err.message;
    const cmd = [bin, ...args].join(' ');
    if (code === 'ENOENT') {
      reject(new VirtkitError('STORAGE_FAILED', `cannot run ${bin}: it is not installed (or not on PATH)`, {
        details: { command: cmd }, cause: err,
      }));
      return;
    }
    reject(new VirtkitError(isNoSpace(said) ? 'NO_SPACE' : 'STORAGE_FAILED', `${cmd} failed: ${said}`, {
      details: { command: cmd, exitCode: typeof code === 'number' ? code : null }, cause: err,
    }));
  });
});
