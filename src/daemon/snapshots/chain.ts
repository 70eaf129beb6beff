/**
 * A running disk's backing chain: read from its images (qemu-img info --backing-chain -U, the
 * active image first), shown in the live definition as libvirt does (nested <backingStore> with
 * index 1, 2... by depth, ended by an empty <backingStore/>), and the check that the files a
 * block commit is to delete are not used by any disk virtkit knows of.
 */
import { posix } from 'node:path';
import { VirtkitError } from '../../core/errors.js';
import type { ChainImage } from '../../core/storage/block-commit-plan.js';
import type { BackingStore } from '../../core/xml/domain/schema/disk.js';
import { walkBackingChain } from '../../core/storage/backing-chain.js';
import { fileChainReader } from '../../host/storage/image-files.js';
import { QemuImg } from '../../host/storage/qemu-img.js';
import type { EngineContext } from '../engine/context.js';
import type { DomainRecord } from '../engine/registry.js';
import type { DomainDef } from '../domain-xml.js';
import { diskOf } from './disks.js';

const img = new QemuImg();

export async function readChain(file: string, format: string): Promise<ChainImage[]> {
  return (await img.infoChain({ path: file, format }, { forceShare: true })).map((i) => ({ file: i.filename, format: i.format }));
}

function backingOf(chain: readonly ChainImage[], depth: number): BackingStore {
  const c = chain[depth];
  if (c === undefined) return {};
  return { type: 'file', index: depth, format: { type: c.format as never }, source: { file: c.file }, backingStore: backingOf(chain, depth + 1) };
}

/**
 * At start: each disk of the live definition on a qcow2 image with a backing file gets its chain as
 * libvirt shows it for a running domain, read with the pure qcow2 reader (no qemu-img run). A disk
 * whose definition gives a <backingStore> keeps it; one whose chain cannot be read (QEMU opened it
 * all the same) is logged and shown without.
 */
export async function startChains(ctx: EngineContext, rec: DomainRecord): Promise<void> {
  for (const d of rec.runtime?.liveDef.devices?.disk ?? []) {
    const file = d.source?.file;
    if (file === undefined || d.driver?.type !== 'qcow2' || d.backingStore?.source !== undefined) continue;
    try {
      const links = await walkBackingChain({ path: file, format: 'qcow2' }, fileChainReader);
      if (links.length > 1) d.backingStore = backingOf(links.map((l) => ({ file: l.path, format: l.format })), 1);
    } catch (e) {
      ctx.log.warn(`cannot read the backing chain of disk '${d.target?.dev ?? file}' of domain '${rec.name}' for its live XML: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

/**
 * Writes disk `target`'s chain (read from its images now) into the live definition. Called after
 * the images changed: a chain that cannot be read then is logged and left out, not an error of
 * the operation that already succeeded.
 */
export async function refreshLiveChain(ctx: EngineContext, rec: DomainRecord, target: string): Promise<void> {
  const d = rec.runtime === undefined ? undefined : diskOf(rec.runtime.liveDef, target);
  const file = d?.source?.file;
  if (d === undefined || file === undefined) return;
  try {
    d.backingStore = backingOf(await readChain(file, d.driver?.type ?? 'raw'), 1);
  } catch (e) {
    delete d.backingStore;
    ctx.log.warn(`cannot read the backing chain of disk '${target}' of domain '${rec.name}' for its live XML: ${e instanceof Error ? e.message : String(e)}`);
  }
  await ctx.writeStatus(rec);
}

function filesOf(def: DomainDef | undefined, skip: string | undefined): string[] {
  const out: string[] = [];
  for (const d of def?.devices?.disk ?? []) {
    if (skip !== undefined && d.target?.dev === skip) continue;
    if (d.source?.file !== undefined) out.push(d.source.file);
    for (let b = d.backingStore; b !== undefined; b = b.backingStore) if (b.source?.file !== undefined) out.push(b.source.file);
  }
  return out.map((f) => posix.normalize(f));
}

/** Refuses (before anything runs) to delete a file that another disk of any domain virtkit knows uses. */
export function checkUnused(ctx: EngineContext, rec: DomainRecord, target: string, files: readonly string[]): void {
  for (const other of ctx.registry.all()) {
    const skip = other === rec ? target : undefined;
    const used = new Set([...filesOf(other.def, skip), ...filesOf(other.runtime?.liveDef, skip)]);
    const busy = files.find((f) => used.has(posix.normalize(f)));
    if (busy !== undefined) {
      throw new VirtkitError('OPERATION_INVALID', `--delete would remove '${busy}', which domain '${other.name}' uses; commit without --delete`, {
        details: { path: busy, domain: other.name },
      });
    }
  }
}
