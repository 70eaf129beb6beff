/**
 * A linked clone (vol-clone --linked): a qcow2 overlay whose backing file is
 * the source volume, its format recorded, made by libvirt's command
 * `qemu-img create -f qcow2 -b SRC -F FMT TEMP SIZE` under a hidden temp name
 * and published (linked to its name) like every made volume (volume-make.ts).
 *
 * To keep the request close to qemu-img's own time (docs/bench.md, bench/storage,
 * pass of stop 16), the name is checked (synchronously) and qemu-img starts
 * as soon as its argv is known; the walk of the source's backing chain
 * (chain-policy.ts) runs while it does. qemu-img may thus open the source's
 * chain read-only before the walk has accepted it; what it writes is only the
 * overlay under the temp name, holding the source's path and format, never
 * data of the chain. The overlay is published only once the walk passed and
 * qemu-img succeeded; a failed check kills qemu-img, waits for it and removes the temp
 * file, and reports the walk's error. A taken name is still reported before a
 * refused chain. Refusals that need no file (the name's syntax, a source format
 * that cannot back an overlay) are answered before anything starts.
 */
import { planLinkedClone } from '../../core/storage/qemu-img-plan.js';
import { volumePathIn, type PoolDef, type VolumeDef } from '../../core/xml/storage/index.js';
import { runQemuImgRetrying } from '../../host/storage/qemu-img.js';
import { checkChain } from './chain-policy.js';
import type { StorageContext } from './context.js';
import type { PoolRecord, VolumeInfo, VolumeRecord } from './records.js';
import { makeVolume, requireFree } from './volume-make.js';

/**
 * The new volume's definition as prepareVolumeXml makes it from `<volume><name>N</name>
 * <capacity>C</capacity><target><format type='qcow2'/></target></volume>` (a unit test
 * compares the two; the path is the temp file's), built directly: the XML round trip cost ~0.3 ms in the daemon's
 * interpreter, and planLinkedClone reads only the name, capacity, format and path.
 */
export function linkedCloneDef(pool: PoolDef, name: string, capacity: number, path: string): VolumeDef {
  const key = volumePathIn(pool, name);
  return {
    name, type: 'file', capacity: { value: capacity }, allocation: { value: capacity }, target: { format: { type: 'qcow2' }, path }, ...(key === undefined ? {} : { key }),
  } as VolumeDef;
}

/** Settles to the error `p` rejects with, or undefined once it resolves. */
function outcome(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => undefined, (e: unknown) => e ?? new Error('failed'));
}

/** Makes `name` in `p` (its job held) as a qcow2 overlay on `src`, a file volume of a pool. */
export async function makeLinkedClone(ctx: StorageContext, p: PoolRecord, dir: string, src: VolumeRecord, name: string): Promise<VolumeInfo> {
  await requireFree(ctx, p, dir, name);
  const source = { path: src.path, format: src.format };
  const walk = (): Promise<unknown> => checkChain(ctx, source, src.backing ? [src.backing.format] : undefined);
  return makeVolume(ctx, p, dir, name, 'clone volume', async (temp) => {
    let argv: string[];
    try {
      argv = planLinkedClone({ pool: p.def, vol: linkedCloneDef(p.def, name, src.capacity, temp), source }).steps[0]?.argv ?? [];
    } catch (e) {
      // A chain the walk refuses is reported before a plan's refusal, as when the walk ran first.
      await walk();
      throw e;
    }
    const stop = new AbortController();
    const made = outcome(runQemuImgRetrying(argv.slice(1), { signal: stop.signal }));
    const checked = await outcome(walk());
    if (checked !== undefined) {
      stop.abort();
      await made;
      throw checked;
    }
    const failed = await made;
    if (failed !== undefined) throw failed;
  }, {
    // What the plan wrote: a qcow2 of the source's size backed by the source, its format recorded.
    made: (path, allocation) => ({ name, key: path, path, type: 'file', format: 'qcow2', capacity: src.capacity, allocation, backing: { ...source } }),
  });
}
