/**
 * Where the daemon gets an InstallPlan: the command line and the host's facts, the OS from the
 * host's osinfo database (src/host/osinfo) by virt-install's --osinfo rules (osinfo-request.ts:
 * a name, generic, or detected from the --cdrom / --location ISO), the files --cloud-init names,
 * and the builder (`buildInstallPlan`, src/core/install) with the CSPRNG (random.ts). Paths the
 * daemon reads are the client's: a relative one is taken from the request's `cwd`.
 * `useInstallPlanner` swaps the planner of this process (the tests that drive the route and the
 * CLI with hand-written plans).
 */
import { VirtkitError } from '../../core/errors.js';
import { buildInstallPlan } from '../../core/install/build.js';
import { detectedOrFallback, osinfoRequest } from '../../core/install/osinfo-request.js';
import type { HostFacts, InstallArgs, InstallPlan, OsInfo } from '../../core/install/types.js';
import { genericOs } from '../../core/osinfo/resolve.js';
import { hostOsDb, readIsoIdentity, type OsDb } from '../../host/osinfo/db.js';
import { clientPath, readCloudInitFiles } from './cloud-init-files.js';
import { installRandom } from './random.js';

export type InstallPlanner = (args: InstallArgs, host: HostFacts, cwd?: string) => Promise<InstallPlan>;

function byName(db: OsDb, name: string): OsInfo {
  const os = db.lookup(name);
  if (!os) {
    throw new VirtkitError('INVALID_ARGUMENT', `--osinfo ${name}: no OS of that short-id or id in the host's osinfo database (Debian's osinfo-db package)`,
      { details: { flag: 'osinfo', name } });
  }
  return os;
}

/** The OS of the install, as virt-install 4.1 picks it. */
export async function installOs(db: OsDb, args: InstallArgs, arch: string, cwd: string | undefined): Promise<OsInfo> {
  const req = osinfoRequest(args);
  if (req.kind === 'name') return byName(db, req.name);
  if (req.kind === 'generic') return genericOs();
  if (req.kind === 'list') {
    throw new VirtkitError('INVALID_ARGUMENT', '--osinfo list lists the OS database and installs nothing: run it without the other options', { details: { flag: 'osinfo' } });
  }
  // A URL (--location http://...) has no ISO to read here: nothing is detected from it.
  const local = !/^[a-z][a-z0-9+.-]*:\/\//i.test(req.media);
  let iso = null;
  if (local) {
    const path = clientPath(req.media, cwd, req.from);
    try {
      iso = await readIsoIdentity(path);
    } catch (e) {
      throw new VirtkitError('INVALID_ARGUMENT', `--${req.from} ${path}: cannot read it: ${(e as Error).message}`, { cause: e, details: { flag: req.from, path } });
    }
  }
  const found = iso === null ? null : (db.identify(iso, arch)?.os ?? null);
  const r = detectedOrFallback(req, found);
  return 'id' in r ? r : r.kind === 'name' ? byName(db, r.name) : genericOs();
}

const builtIn: InstallPlanner = async (args, host, cwd) => {
  const os = await installOs(await hostOsDb(), args, host.arch, cwd);
  return buildInstallPlan(args, os, host, installRandom, await readCloudInitFiles(args, cwd));
};

let current: InstallPlanner = builtIn;

export const planInstall: InstallPlanner = (args, host, cwd) => current(args, host, cwd);

/** Plans installs with `p` until the returned function is called. */
export function useInstallPlanner(p: InstallPlanner): () => void {
  current = p;
  return () => {
    if (current === p) current = builtIn;
  };
}
