/**
 * Guest memory: -m, the RAM backend object(s), -overcommit, and guest NUMA
 * (-numa node/dist with one memory backend per cell). Sizes are rounded up to
 * a whole MiB the way libvirt does (219100 KiB -> 219136k).
 */
import { VirtkitError } from '../../errors.js';
import { pageForCell, roundMiB } from '../../placement/hugepages-fit.js';
import { parseCpuset } from '../../xml/values.js';
import { needObject } from './caps-view.js';
import type { BuildCtx } from './context.js';
import { push, refuse } from './context.js';
import { jsonOpt, keyval } from './escape.js';


type Cell = NonNullable<NonNullable<NonNullable<BuildCtx['def']['cpu']>['numa']>['cell']>[number];

export function numaCells(ctx: BuildCtx): Cell[] {
  return ctx.def.cpu?.numa?.cell ?? [];
}

export function buildMemory(ctx: BuildCtx): void {
  const def = ctx.def;
  const cells = numaCells(ctx);
  const memKiB = def.memory?.value;
  if (memKiB === undefined) throw new VirtkitError('XML_MISSING', '/domain/memory: the domain has no memory size');
  const total = cells.length > 0 ? cells.reduce((s, c) => s + roundMiB(c.memory), 0) : roundMiB(memKiB);
  const mPairs: Array<[string, string | number]> = [['size', `${total}k`]];
  if (def.maxMemory !== undefined) {
    mPairs.push(['slots', def.maxMemory.slots ?? 0], ['maxmem', `${roundMiB(def.maxMemory.value)}k`]);
  }
  push(ctx, '-m', keyval(undefined, mPairs));
  if (cells.length === 0) {
    push(ctx, '-object', jsonOpt(backendProps(ctx, 'pc.ram', total, undefined, true)));
  }
  push(ctx, '-overcommit', `mem-lock=${def.memoryBacking?.locked ? 'on' : 'off'}`);
}

/** The hugetlbfs dir backing cell `cellId` (the whole guest: undefined); undefined: ordinary RAM (no <hugepages>, or no <page> for the cell). */
function hugepageDir(ctx: BuildCtx, cellId: number | undefined): string | undefined {
  const hp = ctx.def.memoryBacking?.hugepages;
  if (hp === undefined) return undefined;
  const page = pageForCell(hp, cellId);
  if (page === undefined) return undefined;
  const dirs = ctx.paths.hugepages ?? [];
  const dir = page === 'default' ? (dirs.find((d) => d.default) ?? dirs[0]) : dirs.find((d) => d.sizeKiB === page.size);
  if (dir === undefined) {
    const size = page === 'default' ? 'the default size' : `${page.size} KiB`;
    throw new VirtkitError('INVALID_ARGUMENT', `/domain/memoryBacking/hugepages: no hugetlbfs mount for ${size} pages was given (RuntimePaths.hugepages)`);
  }
  return dir.dir;
}

function hostNodes(ctx: BuildCtx, cellId: number | undefined): { nodes: number[]; policy: string } | undefined {
  const nt = ctx.def.numatune;
  if (nt === undefined) return undefined;
  const policyOf = (mode: string | undefined): string | undefined =>
    ({ strict: 'bind', preferred: 'preferred', interleave: 'interleave' })[mode ?? 'strict'];
  const mn = cellId === undefined ? undefined : (nt.memnode ?? []).find((m) => m.cellid === cellId);
  if (mn !== undefined) {
    const p = policyOf(mn.mode);
    if (p === undefined) return undefined; // 'restrictive' is applied through cgroups, not argv
    return { nodes: parseCpuset(mn.nodeset), policy: p };
  }
  const m = nt.memory;
  if (m === undefined) return undefined;
  const p = policyOf(m.mode);
  if (p === undefined) return undefined;
  let set = m.nodeset;
  if (m.placement === 'auto' || set === undefined) {
    set = ctx.paths.autoNodeset;
    if (set === undefined) throw new VirtkitError('INVALID_ARGUMENT', "/domain/numatune/memory: placement='auto' needs the host nodes chosen by the caller (RuntimePaths.autoNodeset)");
  }
  // Without guest NUMA libvirt applies the domain-wide policy through cgroups only.
  if (cellId === undefined) return undefined;
  return { nodes: parseCpuset(set), policy: p };
}

function backendProps(ctx: BuildCtx, id: string, kib: number, cellId: number | undefined, isPcRam: boolean): Record<string, unknown> {
  const mb = ctx.def.memoryBacking;
  const hpDir = hugepageDir(ctx, cellId);
  const out: Record<string, unknown> = {};
  const access = memAccess(ctx, cellId);
  // libvirt: share=on for shared access, share=off for private, nothing when neither is said.
  const share = access === 'shared' ? { share: true } : access === 'private' ? { share: false } : {};
  let type: string;
  if (hpDir !== undefined) {
    type = 'memory-backend-file';
    Object.assign(out, { 'qom-type': type, id, 'mem-path': hpDir });
    if (isPcRam) out['x-use-canonical-path-for-ramblock-id'] = false;
    Object.assign(out, share);
    out.prealloc = true;
  } else if (mb?.source?.type === 'memfd') {
    type = 'memory-backend-memfd';
    Object.assign(out, { 'qom-type': type, id });
    if (isPcRam) out['x-use-canonical-path-for-ramblock-id'] = false;
    Object.assign(out, share);
  } else if (mb?.source?.type === 'file') {
    throw refuse('/domain/memoryBacking/source', "type='file' needs a memory backing dir, which virtkit does not provide yet");
  } else if (access === 'shared') {
    // libvirt puts shared anonymous memory in a file under its memory_backing_dir; virtkit has none.
    const path = cellId === undefined ? '/domain/memoryBacking/access' : `/domain/cpu/numa/cell[@id='${cellId}']/@memAccess`;
    throw refuse(path, "shared memory needs a file behind it: add <source type='memfd'/> or <hugepages/> to <memoryBacking>");
  } else {
    type = 'memory-backend-ram';
    Object.assign(out, { 'qom-type': type, id });
  }
  if (mb?.allocation?.mode === 'immediate' && out.prealloc === undefined) out.prealloc = true;
  if (mb?.allocation?.threads !== undefined) out['prealloc-threads'] = mb.allocation.threads;
  needObject(ctx.caps, type, 'guest memory');
  out.size = kib * 1024;
  const hn = hostNodes(ctx, cellId);
  if (hn !== undefined) {
    out['host-nodes'] = hn.nodes;
    out.policy = hn.policy;
  }
  return out;
}

/** A cell's memAccess, else memoryBacking's access mode (libvirt's virDomainNumaGetNodeMemoryAccessMode fallback). */
function memAccess(ctx: BuildCtx, cellId: number | undefined): 'shared' | 'private' | undefined {
  const cell = cellId === undefined ? undefined : numaCells(ctx).find((c, i) => (c.id ?? i) === cellId);
  return cell?.memAccess ?? ctx.def.memoryBacking?.access?.mode;
}

/** -numa node per cell, each with its own backend object, then distances. */
export function buildNuma(ctx: BuildCtx): void {
  const cells = numaCells(ctx);
  cells.forEach((c, i) => {
    const id = c.id ?? i;
    push(ctx, '-object', jsonOpt(backendProps(ctx, `ram-node${id}`, roundMiB(c.memory), id, false)));
    const parts = [`node`, `nodeid=${id}`];
    if (c.cpus !== undefined) for (const r of toRanges(parseCpuset(c.cpus))) parts.push(`cpus=${r}`);
    parts.push(`memdev=ram-node${id}`);
    push(ctx, '-numa', parts.join(','));
  });
  cells.forEach((c, i) => {
    for (const s of c.distances?.sibling ?? []) push(ctx, '-numa', `dist,src=${c.id ?? i},dst=${s.id},val=${s.value}`);
  });
}

/** [1,2,3,5] -> ['1-3','5'] */
export function toRanges(nums: readonly number[]): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < nums.length) {
    const start = nums[i] as number;
    let end = start;
    while (i + 1 < nums.length && nums[i + 1] === end + 1) end = nums[++i] as number;
    out.push(start === end ? String(start) : `${start}-${end}`);
    i++;
  }
  return out;
}
