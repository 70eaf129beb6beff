/**
 * Where the daemon gets an InstallPlan from the command line and the host's facts. The plan
 * builder (src/core/install: `buildInstallPlan(args, os, host, rand)`) and the OS database reader
 * (src/host/osinfo: `loadOsDb()`) are written apart from this module; until both are part of the
 * build, planning is refused with UNSUPPORTED_OPERATION and only a ready plan can be carried out
 * (execute.ts). Wiring them in changes `builtIn` (the OS from `hostOsDb()`, the random source
 * `installRandom` of random.ts; the seed's content is filled in afterwards, cloud-init-files.ts); `useInstallPlanner` swaps the planner of this
 * process (the tests that drive the route and the CLI with hand-written plans).
 */
import { VirtkitError } from '../../core/errors.js';
import type { HostFacts, InstallArgs, InstallPlan } from '../../core/install/types.js';

export type InstallPlanner = (args: InstallArgs, host: HostFacts) => Promise<InstallPlan>;

const builtIn: InstallPlanner = () => Promise.reject(new VirtkitError('UNSUPPORTED_OPERATION',
  'this virtkitd cannot build install plans yet: the virt-install option builder and the OS database are not part of this build',
  { details: { missing: ['buildInstallPlan', 'loadOsDb'] } }));

let current: InstallPlanner = builtIn;

export const planInstall: InstallPlanner = (args, host) => current(args, host);

/** Plans installs with `p` until the returned function is called. */
export function useInstallPlanner(p: InstallPlanner): () => void {
  current = p;
  return () => {
    if (current === p) current = builtIn;
  };
}
