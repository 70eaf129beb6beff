/**
 * The installed QEMU relocated into a temp prefix with a chosen subset of its
 * module files: PREFIX/bin/<name> is a copy of the real binary (not a hard link:
 * linking changes the real binary's ctime, which is part of the caps cache's key,
 * so every concurrent caps lookup would probe again), PREFIX/lib/<multiarch>/qemu holds symlinks to the chosen modules.
 * QEMU finds its modules relative to its own executable (modules.ts), so a
 * probe of the prefix binary sees exactly those modules and no others.
 *
 * For tools and tests, never the daemon: the capture script attributes QOM
 * types to module files by probing with one module left out, and the cache
 * test takes a module away without uninstalling anything.
 */
import { copyFile, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { binaryIdentity } from './binary.js';
import { defaultModuleDir, moduleFileNames } from './modules.js';

export interface QemuPrefix {
  readonly dir: string;
  /** PREFIX/bin/qemu-system-x86_64 (a real file: QEMU relocates from its /proc/self/exe). */
  readonly binary: string;
  /** PREFIX/lib/<multiarch>/qemu: where the prefix binary loads its modules from. */
  readonly moduleDir: string;
  /** The installed module dir the links point into. */
  readonly sourceModuleDir: string;
  /** Removes the prefix. */
  readonly remove: () => Promise<void>;
}

export interface QemuPrefixOptions {
  /** Where the prefix goes (default os.tmpdir()). */
  readonly parent?: string;
  /** Which installed module files to link in (default all). */
  readonly include?: (moduleFile: string) => boolean;
}

export async function makeQemuPrefix(binary: string, opts: QemuPrefixOptions = {}): Promise<QemuPrefix> {
  const { realPath } = await binaryIdentity(binary);
  const sourceModuleDir = defaultModuleDir(realPath);
  const dir = await mkdtemp(join(opts.parent ?? tmpdir(), 'virtkit-qemu-prefix-'));
  const remove = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    const bin = join(dir, 'bin', basename(realPath));
    await mkdir(join(dir, 'bin'));
    // A hard link costs nothing; across file systems (or where links are not allowed) copy the ~20 MB.
    await copyFile(realPath, bin);
    const moduleDir = defaultModuleDir(bin);
    await mkdir(moduleDir, { recursive: true });
    const include = opts.include ?? (() => true);
    for (const name of [...await moduleFileNames(sourceModuleDir)].filter(include)) {
      await symlink(join(sourceModuleDir, name), join(moduleDir, name));
    }
    return { dir, binary: bin, moduleDir, sourceModuleDir, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}
