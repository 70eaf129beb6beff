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
 * The follower lives in this daemon's memory: a virtkitd restarted during the install phase
 * re-attaches to the guest but no longer restarts it when it powers off (as virt-install killed
 * mid-install), and leaves the boot dir's files of that install in place.
 */
import { unlink } from 'node:fs/promises';
import { errorText, type EngineContext } from '../engine/context.js';
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

export function followInstallPhase(ctx: EngineContext, f: PhaseFollow): void {
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

async function finish(ctx: EngineContext, f: PhaseFollow, detail: string): Promise<PhaseEnd> {
  for (const file of f.files) {
    await unlink(file).catch((e: unknown) => {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') ctx.log.warn(`install of '${f.name}': cannot remove ${file}: ${errorText(e)}`);
    });
  }
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
