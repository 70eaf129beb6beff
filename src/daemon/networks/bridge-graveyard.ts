/**
 * A destroyed network's bridge, deleted without making the destroy wait for it. The kernel takes
 * 40-50 ms to delete a bridge (RCU grace periods), whatever else is done; taking it down and
 * renaming it takes ~3 ms. So a destroy takes the bridge down and renames it to a name of
 * virtkit's own (`vkdel` + 8 hex digits: a "grave"), which frees the network's bridge name and its
 * routes at once (a down link has none), and deletes the grave in the background.
 *
 * A marker file per grave (in `dir`, naming the bridge it was) is written before the rename and
 * removed once the grave is deleted: the deletions are tracked (close() awaits them) and a daemon
 * killed in between finds the marker at its next start and deletes the grave then (reconcile()).
 * Only graves this instance marked are touched: another instance's are its own. The markers are
 * not fsynced: a killed daemon leaves the written file in the page cache, and a power cut, which
 * could lose it, also takes every grave with it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VirtkitError } from '../../core/errors.js';
import type { IpRunner } from '../../host/net/ip-runner.js';

/** What `ip` says when the link is gone already (deleted by hand, or never made). */
export const NO_DEVICE_RE = /Cannot find device/u;
const GRAVE_RE = /^vkdel[0-9a-f]{8}$/u;

const isNoDevice = (e: unknown): boolean => e instanceof VirtkitError && NO_DEVICE_RE.test(e.message);

export interface GraveyardDeps {
  /** Where the markers are kept (the instance's run/network/graves). */
  readonly dir: string;
  /** Runs the rename (a waiting `ip`, when there is one). */
  readonly change: IpRunner;
  /** Runs the deletions (off the destroy's path). */
  readonly ip: IpRunner;
  readonly log: { error(m: string): void };
}

export class BridgeGraveyard {
  readonly #pending = new Set<Promise<void>>();
  #dirMade = false;

  constructor(private readonly deps: GraveyardDeps) {}

  /**
   * Takes `bridge` down and renames it to a new grave, whose deletion then runs in the background.
   * A bridge that is not there is fine (nothing to do). When the rename cannot be done (e.g. the
   * grave's name is taken), the bridge is deleted here and now, as before graves.
   */
  async bury(bridge: string): Promise<void> {
    const grave = `vkdel${randomBytes(4).toString('hex')}`;
    const marker = join(this.deps.dir, grave);
    if (!this.#dirMade) {
      await mkdir(this.deps.dir, { recursive: true, mode: 0o755 });
      this.#dirMade = true;
    }
    await writeFile(marker, `${bridge}\n`, { mode: 0o644 });
    try {
      await this.deps.change(['link', 'set', 'dev', bridge, 'down', 'name', grave]);
    } catch (e) {
      await rm(marker, { force: true });
      if (isNoDevice(e)) return;
      this.deps.log.error(`cannot rename bridge ${bridge} to ${grave} (${(e as Error).message}); deleting it now`);
      await this.deps.ip(['link', 'del', 'dev', bridge]).catch((err: unknown) => {
        if (!isNoDevice(err)) throw err;
      });
      return;
    }
    this.#track(grave);
  }

  /** Deletes the graves a previous daemon marked and left (killed before their deletion was done). */
  async reconcile(): Promise<number> {
    const names = (await readdir(this.deps.dir).catch(() => [] as string[])).filter((n) => GRAVE_RE.test(n));
    for (const grave of names) this.#track(grave);
    await this.drain();
    return names.length;
  }

  /** The number of graves whose deletion is under way. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Waits for every deletion under way (the daemon's stop). */
  async drain(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
  }

  #track(grave: string): void {
    const p = this.#delete(grave).finally(() => this.#pending.delete(p));
    this.#pending.add(p);
  }

  /** Never rejects: a failed deletion keeps its marker (the next start tries again) and is logged. */
  async #delete(grave: string): Promise<void> {
    // Off the destroy's path: the deletion's process is started after the destroy's reply is on its way.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      await this.deps.ip(['link', 'del', 'dev', grave]);
    } catch (e) {
      if (!isNoDevice(e)) {
        this.deps.log.error(`cannot delete ${grave}, a destroyed network's bridge (${(e as Error).message}); the next virtkitd start tries again`);
        return;
      }
    }
    await rm(join(this.deps.dir, grave), { force: true }).catch(() => undefined);
  }
}
