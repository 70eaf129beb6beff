/**
 * Keys (secret values) handed to qemu-img and QEMU as files, never on a command line: each
 * `--object secret,id=...,file=PATH` reads PATH. A key file is created 0600 with O_EXCL (a
 * file already there, or a link planted in its place, is refused rather than followed) and
 * removed as soon as its reader has it.
 */
import { mkdtemp, open, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Writes `value` to a new file `path`, mode 0600. */
export async function writeKeyFile(path: string, value: Uint8Array): Promise<void> {
  const fd = await open(path, 'wx', 0o600);
  try {
    await fd.writeFile(value);
  } finally {
    await fd.close();
  }
}

/** Removes a key file; a missing one is not an error. */
export async function removeKeyFile(path: string): Promise<void> {
  await unlink(path).catch((e: unknown) => {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  });
}

/**
 * Runs `fn` with the path of a 0600 file holding `value`, in a private (0700) temp directory
 * that is removed afterwards whatever `fn` does.
 */
export async function withKeyFile<T>(value: Uint8Array, fn: (path: string) => Promise<T>, parent = tmpdir()): Promise<T> {
  const dir = await mkdtemp(join(parent, 'virtkit-key-'));
  try {
    const path = join(dir, 'key');
    await writeKeyFile(path, value);
    return await fn(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
