/**
 * The NoCloud seed ISO of `--cloud-init`, written as virt-install 4.1 writes it (virtinst/install/
 * installerinject.py): Debian's xorriso in its mkisofs dialect, `xorrisofs -o ISO -J -input-charset
 * utf8 -rational-rock -V cidata DIR` (ISO 9660 + Joliet + Rock Ridge, volume id `cidata`), DIR holding
 * `user-data`, `meta-data` and, when there is one, `network-config`. Run with an argument array, never
 * a shell.
 *
 * The seed may hold a root password: its files and the ISO are 0600 in a private (0700) temp directory
 * beside the target, and the finished ISO is renamed into place (atomic on one file system), so no
 * one else can read it at any point and no half-written ISO ever has the target's name.
 */
import { randomInt } from 'node:crypto';
import { chmod, mkdir, mkdtemp, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { VirtkitError } from '../../core/errors.js';
import type { RandomInt } from '../../core/install/cloud-init.js';
import { runXorriso } from './xorriso.js';

/** What goes on the ISO (core/install/cloud-init.ts cloudInitSeed gives it, as does PlannedCloudInit). */
export interface NoCloudSeed {
  readonly userData: string;
  readonly metaData: string;
  readonly networkConfig: string | null;
}

export const NOCLOUD_VOLUME_ID = 'cidata';

export interface WriteNoCloudOptions {
  /** The xorrisofs binary (Debian's xorriso package); default `xorrisofs` on PATH. */
  readonly xorrisofs?: string;
  /** Bound on the xorrisofs run, in ms (default 60 s). */
  readonly timeoutMs?: number;
}

/** The random source for cloudInitSeed's generated password: node's CSPRNG. */
export const secureRandomInt: RandomInt = (bound) => randomInt(bound);

/** virt-install's xorrisofs argv for a cloud-init ISO of the files in `dir`. */
export function xorrisofsArgs(iso: string, dir: string): string[] {
  return ['-o', iso, '-J', '-input-charset', 'utf8', '-rational-rock', '-V', NOCLOUD_VOLUME_ID, dir];
}

function ioError(what: string, e: unknown): VirtkitError {
  const err = e as NodeJS.ErrnoException;
  const code = err.code === 'ENOSPC' || err.code === 'EDQUOT' ? 'NO_SPACE' : 'IO_ERROR';
  return new VirtkitError(code, `cannot ${what}: ${err.message}`, { details: { errno: err.code ?? null }, cause: e });
}

/** Writes `data` to a new file (O_EXCL), mode 0600. */
async function writePrivate(path: string, data: string | Uint8Array): Promise<void> {
  const fd = await open(path, 'wx', 0o600);
  try {
    await fd.writeFile(data);
  } finally {
    await fd.close();
  }
}

/**
 * Writes the NoCloud ISO for `seed` to `path` (replacing a file there), mode 0600. Errors: HOST_UNSUPPORTED
 * without xorrisofs, STORAGE_FAILED when it fails (quoting it), NO_SPACE, IO_ERROR (the directory is
 * missing or not writable). Nothing is left behind on failure.
 */
export async function writeNoCloudIso(path: string, seed: NoCloudSeed, o: WriteNoCloudOptions = {}): Promise<void> {
  const target = resolve(path);
  let tmp: string;
  try {
    tmp = await mkdtemp(join(dirname(target), `.${basename(target)}.tmp-`));
  } catch (e) {
    throw ioError(`make a temporary directory beside ${target}`, e);
  }
  try {
    const root = join(tmp, 'files');
    const iso = join(tmp, 'seed.iso');
    const files: Array<[string, string]> = [['user-data', seed.userData], ['meta-data', seed.metaData]];
    if (seed.networkConfig !== null) files.push(['network-config', seed.networkConfig]);
    try {
      await mkdir(root, { mode: 0o700 });
      for (const [name, text] of files) await writePrivate(join(root, name), text);
      await writePrivate(iso, new Uint8Array(0)); // xorriso writes into it: it stays 0600 whatever the umask
    } catch (e) {
      throw ioError(`write the cloud-init files in ${tmp}`, e);
    }
    await runXorriso(o.xorrisofs ?? 'xorrisofs', xorrisofsArgs(iso, root), o.timeoutMs ?? 60_000, 'make the cloud-init ISO');
    try {
      await chmod(iso, 0o600);
      const fd = await open(iso, 'r');
      try {
        await fd.sync();
      } finally {
        await fd.close();
      }
      await rename(iso, target);
    } catch (e) {
      throw ioError(`put the cloud-init ISO at ${target}`, e);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
