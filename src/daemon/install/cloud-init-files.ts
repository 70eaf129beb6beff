/**
 * The files `--cloud-init`'s sub-options name (cloudInitFilePaths: user-data=, root-ssh-key=...),
 * read by the daemon for the plan builder, which puts their content into the seed (cloud-init.ts
 * is pure). They are keyed by the path as given; a relative one is read from the client's working
 * directory (the request's `cwd`).
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { VirtkitError } from '../../core/errors.js';
import { cloudInitFilePaths } from '../../core/install/cloud-init-options.js';
import type { CloudInitFiles } from '../../core/install/cloud-init.js';
import type { InstallArgs } from '../../core/install/types.js';

/** `path` made absolute against the client's cwd; a relative path without one is refused. */
export function clientPath(path: string, cwd: string | undefined, flag: string): string {
  if (isAbsolute(path)) return path;
  if (cwd === undefined) {
    throw new VirtkitError('INVALID_ARGUMENT', `--${flag}: '${path}' is a relative path and the request has no cwd to read it from; give an absolute path`, { details: { flag, path } });
  }
  return resolve(cwd, path);
}

/** The files the last `--cloud-init` of `args` names (none without one). */
export async function readCloudInitFiles(args: InstallArgs, cwd: string | undefined): Promise<CloudInitFiles> {
  const files = new Map<string, Uint8Array>();
  for (const p of cloudInitFilePaths(args['cloud-init']?.at(-1)?.opts ?? [])) {
    const abs = clientPath(p, cwd, 'cloud-init');
    try {
      files.set(p, await readFile(abs));
    } catch (e) {
      throw new VirtkitError('INVALID_ARGUMENT', `--cloud-init: cannot read ${abs}: ${(e as Error).message}`, { cause: e, details: { flag: 'cloud-init', path: abs } });
    }
  }
  return files;
}
