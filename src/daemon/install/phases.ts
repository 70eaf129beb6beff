/**
 * The end of an install phase, followed by the daemon (virt-install's _process_domain does it in
 * the CLI, so that `--noautoconsole` without `--wait` leaves the guest off after the install; here
 * the phase change happens whether or not a client still waits). When the guest that runs the
 * install-phase XML stops:
 *  - the files made for the install phase go (the cloud-init seed ISO, copied kernel and initrd:
 *    the final definition does not name them, which is how the seed is "detached");
 *  - the final definition starts, unless --noreboot or --transient, or unless the install phase did
 *    not end by the guest powering off (destroyed by a user, crashed, failed: virt-install's "User
 *    stopped the VM. Not rebooting.").
 * What is followed is also written to the state dir (`install/UUID.json`), so that a virtkitd
 * restarted during the install phase follows it again once it has re-attached to the guest
 * (`resumeInstallPhases`, at load). A guest that stopped while no daemon ran is not started again
 * (how it stopped is unknown): its files go and the log says to start it.
 */
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errorText, type EngineContext } from '../engine/context.js';
import { writeFileAtomic } from '../store/atomic.js';
import { dispatch } from '../engine/actions.js';
import type { LifecycleEvent } from '../state.js';

export interface PhaseFollow {
  readonly name: string;
  readonly uuid: string;
  /** Start the final definition when the install phase ends by a power-off. */
  readonly restart: boolean;
  /** Temporary files of the install phase. */
  readonly files: readonly string[];
}

/** What happened when an install phase ended: for the log and for tests. */
export interface PhaseEnd {
  readonly stopped: string;
  readonly restarted: boolean;
  readonly error?: string;
}

const pending = new WeakMap<EngineContext, Map<string, Promise<PhaseEnd>>>();

/** The end of the install phase of `name` being followed in `ctx` (undefined when none is). */
export function installPhaseEnd(ctx: EngineContext, name: string): Promise<PhaseEnd> | undefined {
  return pending.get(ctx)?.get(name);
}

const recordDir = (ctx: EngineContext): string => join(ctx.deps.layout.stateDir, 'install');
const recordName = (f: PhaseFollow): string => `${f.uuid}.json`;

/** Follows the install phase of a domain that runs it now, and records that it does. */
export async function followInstallPhase(ctx: EngineContext, f: PhaseFollow): Promise<void> {
  watch(ctx, f); // before any await: the guest may stop at any time
  try {
    const dir = recordDir(ctx);
    await mkdir(dir, { recursive: true, mode: ctx.deps.layout.dirMode });
    await writeFileAtomic(dir, recordName(f), `${JSON.stringify(f)}\n`);
  } catch (e) {
    ctx.log.warn(`install of '${f.name}': cannot record its install phase (a restarted virtkitd will not finish it): ${errorText(e)}`);
  }
}

function watch(ctx: EngineContext, f: PhaseFollow): void {
  const byName = pending.get(ctx) ?? new Map<string, Promise<PhaseEnd>>();
  pending.set(ctx, byName);
  const ended = new Promise<PhaseEnd>((resolve) => {
    const off = ctx.events.subscribe((e: LifecycleEvent) => {
      if (e.event !== 'stopped') return;
      off();
      resolve(finish(ctx, f, e.detail));
    }, { uuid: f.uuid });
  });
  byName.set(f.name, ended);
  void ended.finally(() => {
    if (byName.get(f.name) === ended) byName.delete(f.name);
  });
}

function isFollow(v: unknown): v is PhaseFollow {
  const o = v as Partial<PhaseFollow> | null;
  return typeof o?.name === 'string' && typeof o.uuid === 'string' && typeof o.restart === 'boolean'
    && Array.isArray(o.files) && o.files.every((x) => typeof x === 'string');
}

/** At load, once guests are re-attached: follows again the install phases a previous virtkitd followed. */
export async function resumeInstallPhases(ctx: EngineContext): Promise<number> {
  const dir = recordDir(ctx);
  const names = await readdir(dir).catch(() => [] as string[]);
  let resumed = 0;
  for (const n of names.filter((x) => x.endsWith('.json') && !x.startsWith('.'))) {
    let f: unknown;
    try {
      f = JSON.parse(await readFile(join(dir, n), 'utf8'));
    } catch (e) {
      ctx.log.error(`ignoring install record ${join(dir, n)}: ${errorText(e)}`);
      continue;
    }
    if (!isFollow(f)) {
      ctx.log.error(`ignoring install record ${join(dir, n)}: not an install phase record`);
      continue;
    }
    const rec = ctx.registry.byUuid(f.uuid);
    if (rec?.runtime?.handle !== undefined) {
      watch(ctx, f);
      resumed++;
    } else {
      await finish(ctx, f, 'while no virtkitd ran');
    }
  }
  return resumed;
}

async function finish(ctx: EngineContext, f: PhaseFollow, detail: string): Promise<PhaseEnd> {
  for (const file of f.files) {
    await unlink(file).catch((e: unknown) => {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') ctx.log.warn(`install of '${f.name}': cannot remove ${file}: ${errorText(e)}`);
    });
  }
  await unlink(join(recordDir(ctx), recordName(f))).catch(() => undefined);
  if (!f.restart || detail !== 'shutdown') {
    ctx.log.info(`install of '${f.name}': the install phase ended (${detail}); not starting it again`);
    return { stopped: detail, restarted: false };
  }
  try {
    await dispatch(ctx, { kind: 'start', name: f.name }, { wait: 60_000 });
    ctx.log.info(`install of '${f.name}': the install phase ended; started its final definition`);
    return { stopped: detail, restarted: true };
  } catch (e) {
    ctx.log.error(`install of '${f.name}': the install phase ended but the final definition did not start: ${errorText(e)}`);
    return { stopped: detail, restarted: false, error: errorText(e) };
  }
}
