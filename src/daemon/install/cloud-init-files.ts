/**
 * The cloud-init seed's content, filled into the plan where the files are: the plan builder leaves
 * `cloudInit`'s user-data, meta-data and network-config to cloud-init.ts (`cloudInitSeed`), which is
 * pure; the daemon reads the files the `--cloud-init` sub-options name (`cloudInitFilePaths`) and
 * generates the root password with node's CSPRNG. A relative path is read from the client's working
 * directory (the request's `cwd`).
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { VirtkitError } from '../../core/errors.js';
import { cloudInitFilePaths } from '../../core/install/cloud-init-options.js';
import { cloudInitSeed, type RandomInt } from '../../core/install/cloud-init.js';
import type { InstallArgs, InstallPlan } from '../../core/install/types.js';
import { secureRandomInt } from '../../host/iso/nocloud.js';

async function readFiles(paths: readonly string[], cwd: string | undefined): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const p of paths) {
    if (!isAbsolute(p) && cwd === undefined) {
      throw new VirtkitError('INVALID_ARGUMENT', `--cloud-init: '${p}' is a relative path and the request has no cwd to read it from; give an absolute path`, { details: { flag: 'cloud-init', path: p } });
    }
    const abs = isAbsolute(p) ? p : resolve(cwd ?? '/', p);
    try {
      files.set(p, await readFile(abs));
    } catch (e) {
      throw new VirtkitError('INVALID_ARGUMENT', `--cloud-init: cannot read ${abs}: ${(e as Error).message}`, { cause: e, details: { flag: 'cloud-init', path: abs } });
    }
  }
  return files;
}

/** `plan` with its seed's content from the last `--cloud-init` of `args` (unchanged without one). */
export async function fillCloudInit(plan: InstallPlan, args: InstallArgs, cwd: string | undefined, rand: RandomInt = secureRandomInt): Promise<InstallPlan> {
  const use = args['cloud-init']?.at(-1);
  if (plan.cloudInit === null || use === undefined) return plan;
  const seed = cloudInitSeed(use.opts, await readFiles(cloudInitFilePaths(use.opts), cwd), rand);
  return {
    ...plan,
    cloudInit: {
      ...plan.cloudInit, userData: seed.userData, metaData: seed.metaData, networkConfig: seed.networkConfig,
      generatedRootPassword: seed.generatedRootPassword,
    },
    warnings: [...plan.warnings, ...seed.warnings],
  };
}
