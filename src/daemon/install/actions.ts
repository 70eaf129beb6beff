/**
 * The install part of the engine's one typed action list (engine/actions.ts merges it): `install`
 * gathers the host's facts, builds the plan and, unless it is a dry run (--dry-run, --print-xml),
 * runs virt-install's --check checks (checks.ts) and carries it out.
 */
import type { InstallArgs, InstallPlan } from '../../core/install/types.js';
import type { OsListEntry } from '../../core/osinfo/list.js';
import { extractFromIso } from '../../host/iso/extract.js';
import { writeNoCloudIso } from '../../host/iso/nocloud.js';
import { hostOsDb } from '../../host/osinfo/db.js';
import type { EngineContext } from '../engine/context.js';
import { checkInstall } from './checks.js';
import { executeInstall, type InstallHooks, type InstallResult } from './execute.js';
import { gatherHostFacts } from './host-facts.js';
import { planInstall } from './planner.js';

export type InstallAction = {
  readonly kind: 'install';
  readonly args: InstallArgs;
  readonly dryRun?: boolean;
  readonly printXml?: boolean;
  /** The client's working directory: relative file paths in `args` are read from there. */
  readonly cwd?: string;
  /** Percentages of full volume copies (the CLI's progress bar, once the API streams them). */
  readonly onProgress?: (volume: string, percent: number) => void;
};

/** The host's OS database as a list (`--osinfo list`, `osinfo-query os`). */
export type OsinfoListAction = { readonly kind: 'osinfoList' };

export interface InstallResults {
  install: { readonly plan: InstallPlan; readonly made: InstallResult | null };
  osinfoList: { readonly oses: OsListEntry[] };
}

/** The cloud-init seed's ISO writer and the --location ISO's reader (both Debian's xorriso, src/host/iso). */
const hooks: InstallHooks = {
  writeSeed: (seed) => writeNoCloudIso(seed.path, seed),
  extractFromIso: (iso, from, to) => extractFromIso(iso, from, to),
};

async function install(ctx: EngineContext, a: InstallAction): Promise<InstallResults['install']> {
  const plan = await planInstall(a.args, await gatherHostFacts(ctx, a.args), a.cwd);
  const dry = a.dryRun === true || a.printXml === true || a.args['dry-run'] !== undefined || a.args['print-xml'] !== undefined;
  if (dry) return { plan, made: null };
  await checkInstall(ctx, plan, a.args);
  const made = await executeInstall(ctx, plan, { ...hooks, ...(a.onProgress === undefined ? {} : { onProgress: a.onProgress }) });
  return { plan, made };
}

export const installHandlers = {
  install: (ctx: EngineContext, a: InstallAction) => install(ctx, a),
  osinfoList: async (): Promise<InstallResults['osinfoList']> => ({ oses: (await hostOsDb()).list() }),
};
