/**
 * Finding a QEMU binary and naming the exact file: caches of what a binary
 * can do are keyed by its identity (real path, size, mtime, ctime), so that
 * an upgraded QEMU (a new file, or the same file rewritten) is probed again.
 */
import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { VirtkitError } from '../../core/errors.js';

export interface BinaryIdentity {
  /** The binary as found (PATH searched), e.g. /usr/bin/qemu-system-x86_64. */
  readonly path: string;
  /** Symlinks resolved. */
  readonly realPath: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

/** `name` as an absolute path: as given when it has a '/', else the first executable match on PATH. */
export async function resolveBinary(name: string, pathEnv = process.env['PATH'] ?? '/usr/bin:/bin'): Promise<string> {
  const candidates = name.includes('/') ? [resolve(name)] : pathEnv.split(delimiter).filter(isAbsolute).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      if ((await stat(c)).isFile()) return c;
    } catch {
      // not this one
    }
  }
  throw new VirtkitError('QEMU_NOT_FOUND', `QEMU binary '${name}' not found${name.includes('/') ? '' : ' on PATH'}; install QEMU (apt install qemu-system-x86) or give its full path`, {
    details: { binary: name },
  });
}

export async function binaryIdentity(name: string): Promise<BinaryIdentity> {
  const path = await resolveBinary(name);
  const realPath = await realpath(path);
  const st = await stat(realPath);
  return { path, realPath, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
}
