/**
 * A domain's snapshot metadata: one libvirt snapshot XML file per snapshot,
 * STATEDIR/domains/UUID/snapshots/NAME.xml, written atomically (store/atomic.ts). The current
 * snapshot is the one whose file says <active>1</active> (virtkit's metadata mode of the
 * snapshot XML). Loaded on a domain's first snapshot action, so it survives daemon restarts
 * without costing start-up anything; kept per engine context.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VirtkitError } from '../../core/errors.js';
import type { SnapshotDef } from '../../core/xml/snapshot/index.js';
import { formatSnapshotXml, parseSnapshotXml } from '../../core/xml/snapshot/index.js';
import type { EngineContext } from '../engine/context.js';
import { domainRuntimePaths } from '../paths.js';
import { ensureDir, listDir, removeFileDurable, writeFileAtomic } from '../store/atomic.js';
import { checkObjectName } from '../store/types.js';

const SUFFIX = '.xml';

export class SnapshotSet {
  readonly #snaps = new Map<string, SnapshotDef>();
  #current: string | undefined;

  private constructor(readonly dir: string) {}

  static async load(dir: string, warn: (m: string) => void): Promise<SnapshotSet> {
    const set = new SnapshotSet(dir);
    for (const file of (await listDir(dir)).filter((f) => f.endsWith(SUFFIX) && !f.startsWith('.'))) {
      try {
        const def = parseSnapshotXml(await readFile(join(dir, file), 'utf8'));
        if (def.name !== file.slice(0, -SUFFIX.length)) throw new Error(`it names snapshot '${def.name ?? ''}'`);
        const { active, ...rest } = def;
        set.#snaps.set(def.name, rest);
        if (active === '1') set.#current = def.name;
      } catch (e) {
        warn(`ignoring snapshot metadata ${join(dir, file)}: ${(e as Error).message}`);
      }
    }
    return set;
  }

  get current(): string | undefined {
    return this.#current;
  }

  get size(): number {
    return this.#snaps.size;
  }

  all(): SnapshotDef[] {
    return [...this.#snaps.values()].sort((a, b) => (a.creationTime ?? 0) - (b.creationTime ?? 0) || (a.name ?? '').localeCompare(b.name ?? ''));
  }

  has(name: string): boolean {
    return this.#snaps.has(name);
  }

  get(name: string, domain: string): SnapshotDef {
    const s = this.#snaps.get(name);
    if (s === undefined) {
      throw new VirtkitError('SNAPSHOT_NOT_FOUND', `domain '${domain}' has no snapshot '${name}' (virtkit snapshot-list ${domain} lists them)`, { details: { domain, snapshot: name } });
    }
    return s;
  }

  children(name: string): SnapshotDef[] {
    return this.all().filter((s) => s.parent?.name === name);
  }

  async #write(def: SnapshotDef): Promise<void> {
    const name = def.name ?? '';
    checkObjectName('snapshot', name);
    await ensureDir(this.dir, 0o700);
    const xml = formatSnapshotXml({ ...def, ...(this.#current === name ? { active: '1' as const } : {}) });
    await writeFileAtomic(this.dir, name + SUFFIX, xml);
  }

  /** Records `def` (new or changed); `current` makes it the current snapshot. */
  async save(def: SnapshotDef, current: boolean): Promise<void> {
    const name = def.name ?? '';
    checkObjectName('snapshot', name);
    const before = this.#current;
    this.#snaps.set(name, def);
    if (current) this.#current = name;
    await this.#write(def);
    if (current && before !== undefined && before !== name && this.#snaps.has(before)) await this.#write(this.#snaps.get(before) as SnapshotDef);
  }

  async setCurrent(name: string | undefined): Promise<void> {
    const before = this.#current;
    if (before === name) return;
    this.#current = name;
    if (before !== undefined && this.#snaps.has(before)) await this.#write(this.#snaps.get(before) as SnapshotDef);
    if (name !== undefined) await this.#write(this.#snaps.get(name) as SnapshotDef);
  }

  async remove(name: string): Promise<void> {
    this.#snaps.delete(name);
    if (this.#current === name) this.#current = undefined;
    await removeFileDurable(this.dir, name + SUFFIX);
  }
}

const sets = new WeakMap<EngineContext, Map<string, Promise<SnapshotSet>>>();

/** The snapshots of the domain with this UUID (loaded once per engine). */
export function snapshotsOf(ctx: EngineContext, name: string, uuid: string): Promise<SnapshotSet> {
  let byUuid = sets.get(ctx);
  if (byUuid === undefined) sets.set(ctx, (byUuid = new Map()));
  let set = byUuid.get(uuid);
  if (set === undefined) {
    const dir = join(domainRuntimePaths(ctx.deps.layout, name, uuid).libDir, 'snapshots');
    set = SnapshotSet.load(dir, (m) => ctx.log.warn(m));
    set.catch(() => byUuid.delete(uuid));
    byUuid.set(uuid, set);
  }
  return set;
}

/**
 * undefine's rule (libvirt's): a domain with snapshot metadata is refused unless
 * `snapshotsMetadata` (virsh --snapshots-metadata), which forgets them; the images are not touched.
 * Returns what removes the metadata, to run once the definition is gone.
 */
export async function undefineSnapshots(ctx: EngineContext, name: string, uuid: string, snapshotsMetadata: boolean): Promise<() => Promise<void>> {
  const set = await snapshotsOf(ctx, name, uuid);
  if (set.size > 0 && !snapshotsMetadata) {
    throw new VirtkitError('OPERATION_INVALID', `cannot undefine domain '${name}' with ${set.size} snapshot(s): delete them first, or undefine with --snapshots-metadata to forget them (their images stay as they are)`, {
      details: { domain: name, snapshots: set.size },
    });
  }
  return async () => {
    for (const s of set.all()) await set.remove(s.name ?? '');
    sets.get(ctx)?.delete(uuid);
  };
}
