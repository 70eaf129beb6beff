/**
 * Copies one file out of an ISO 9660 image, for `virtkit install --location ISO` (the install media's
 * kernel and initrd, as virt-install reads them with libosinfo/isoinfo): Debian's xorriso,
 * `xorriso -osirrox on -indev ISO -extract PATH DEST`, run with an argument array, never a shell.
 *
 * The file is extracted into a private temp directory beside the target and then hard-linked to the
 * target's name, so that, like `copyFile(..., COPYFILE_EXCL)`, a file already at the target is never
 * overwritten (EEXIST) and no half-extracted file ever has the target's name.
 */
import { chmod, link, mkdtemp, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { VirtkitError } from '../../core/errors.js';
import { runXorriso } from './xorriso.js';

export interface ExtractOptions {
  /** The xorriso binary (Debian's xorriso package); default `xorriso` on PATH. */
  readonly xorriso?: string;
  /** Bound on the xorriso run, in ms (default 120 s: a kernel and an initrd are tens of MiB). */
  readonly timeoutMs?: number;
}

/** The xorriso argv that extracts `pathInIso` (absolute inside the image) of `iso` to `dest`. */
export function extractArgs(iso: string, pathInIso: string, dest: string): string[] {
  // `-indev` with a path that starts with `-` would be read as a command; `stdio:` is xorriso's own prefix.
  const dev = iso.startsWith('-') ? `./${iso}` : iso;
  return ['-osirrox', 'on', '-indev', dev, '-extract', pathInIso, dest];
}

/** `install.amd/vmlinuz` (osinfo-db's form) and `/install.amd/vmlinuz` are the same file of the image. */
const absolute = (p: string): string => (p.startsWith('/') ? p : `/${p}`);

/**
 * Extracts `pathInIso` of the ISO image `iso` to `to` (a new file: EEXIST when one is there). Errors:
 * INVALID_ARGUMENT when the image has no such file, HOST_UNSUPPORTED without xorriso, STORAGE_FAILED
 * when xorriso fails otherwise (quoting it; also for a file that is no ISO image), NO_SPACE. Nothing
 * is left behind on failure.
 */
export async function extractFromIso(iso: string, pathInIso: string, to: string, o: ExtractOptions = {}): Promise<void> {
  const target = resolve(to);
  const from = absolute(pathInIso);
  const tmp = await mkdtemp(join(dirname(target), `.${basename(target)}.tmp-`));
  try {
    const out = join(tmp, 'file');
    await runXorriso(o.xorriso ?? 'xorriso', extractArgs(iso, from, out), o.timeoutMs ?? 120_000, `copy ${from} out of ${iso}`, (stderr, cmd) =>
      (/Cannot determine attributes of \(ISO\) source file/.test(stderr)
        ? new VirtkitError('INVALID_ARGUMENT', `cannot copy ${from} out of ${iso}: the image has no such file (or is no ISO 9660 image)`, { details: { command: cmd, stderr } })
        : undefined));
    // xorriso gives the copy the image's permissions (often 0444 or 0555): QEMU only reads it, root owns it.
    await chmod(out, 0o644);
    await link(out, target);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
