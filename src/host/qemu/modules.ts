/**
 * QEMU's loadable modules: some devices, UI and block backends live in
 * shared objects that QEMU loads on demand (Debian ships them in
 * qemu-system-common, qemu-system-gui, qemu-block-extra). What a QEMU binary
 * can do therefore depends on which module files are installed, and the
 * capability cache (probe-caps.ts) keys on the state of the module directory
 * as well as on the binary, as libvirt does.
 *
 * Where QEMU looks: $QEMU_MODULE_DIR (virtkit never sets it: its probes and
 * domains run with a clean environment), then its configured module dir
 * *relocated relative to the executable* (util/cutils.c get_relocated_path:
 * a binary at PREFIX/bin loads PREFIX/lib/<multiarch>/qemu on Debian), then
 * the executable's own directory and /run/qemu/<version> (modules kept
 * across an upgrade). The key covers the first that matters: the relocated
 * module dir.
 */
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** Debian's multiarch triplet for a Node architecture name (the part of the module path that varies). */
const MULTIARCH: Readonly<Record<string, string>> = {
  x64: 'x86_64-linux-gnu',
  arm64: 'aarch64-linux-gnu',
  ia32: 'i386-linux-gnu',
  ppc64: 'powerpc64le-linux-gnu',
  s390x: 's390x-linux-gnu',
  riscv64: 'riscv64-linux-gnu',
};

/**
 * The module directory of a Debian-built QEMU whose executable (symlinks
 * resolved, as QEMU sees /proc/self/exe) is `binaryRealPath`:
 * /usr/bin/qemu-system-x86_64 -> /usr/lib/x86_64-linux-gnu/qemu. Other builds
 * (Fedora's /usr/lib64/qemu, a source build's PREFIX/lib/qemu) pass their
 * directory explicitly (CapsCacheOptions.moduleDir).
 */
export function defaultModuleDir(binaryRealPath: string, arch: string = process.arch): string {
  const triplet = MULTIARCH[arch] ?? `${arch}-linux-gnu`;
  return resolve(dirname(binaryRealPath), '..', 'lib', triplet, 'qemu');
}

export interface ModuleFile {
  /** e.g. 'hw-display-virtio-gpu-gl.so' */
  readonly name: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface ModuleDirState {
  readonly dir: string;
  /** The module files, sorted by name; null when the directory does not exist. */
  readonly files: readonly ModuleFile[] | null;
}

/**
 * The module files in `dir` with their sizes and mtimes: installing,
 * removing or upgrading a module package changes it. Symlinks are followed
 * (QEMU dlopens through them); a dangling one is left out, as QEMU cannot
 * load it either.
 */
export async function moduleDirState(dir: string): Promise<ModuleDirState> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { dir, files: null };
    throw err;
  }
  const files = await Promise.all(names.filter((n) => n.endsWith('.so')).sort().map(async (name) => {
    try {
      const st = await stat(join(dir, name));
      return st.isFile() ? { name, size: st.size, mtimeMs: st.mtimeMs } : undefined;
    } catch {
      return undefined;
    }
  }));
  return { dir, files: files.filter((f): f is ModuleFile => f !== undefined) };
}

/** The names of the module files in `dir` (none when it does not exist). */
export async function moduleFileNames(dir: string): Promise<Set<string>> {
  return new Set((await moduleDirState(dir)).files?.map((f) => f.name) ?? []);
}
