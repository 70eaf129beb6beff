/**
 * `virtkit clone` (virt-clone): one job that makes a new persistent domain from a shut-off one (or
 * from given XML), with its disks copied, linked or shared as the plan says
 * (core/clone/plan.ts), its NVRAM copied, and its definition saved last. The original holds its
 * job lock throughout (it cannot start while its disks are read), the new name holds its own.
 * Any failure undoes, newest first, what the job made: no new domain, volume or file is left.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { planClone, type ClonePlan, type CloneRequest, type DiskAction, type StorageRef } from '../../core/clone/plan.js';
import { cloneName } from '../../core/clone/names.js';
import { VirtkitError } from '../../core/errors.js';
import type { DomainDef } from '../domain-xml.js';
import { checkDomainName } from '../store/types.js';
import { lookupPool } from '../storage/queries.js';
import type { PoolRecord } from '../storage/records.js';
import type { ActionOf, ActionResults, DispatchOptions, DomainInfo } from './actions.js';
import { copyNvram, makeDisk, placeOf, placeTaken, type CopyProgress, type Made } from './clone-disks.js';
import { addDefinition, undefineDomain, type Prepared } from './config-ops.js';
import { destroyDomain } from './lifecycle.js';
import { errorText, type EngineContext } from './context.js';

export type { CopyProgress } from './clone-disks.js';

/** The clone request of core/clone (files, macs, skipCopy, autoClone, preserveData, linked, nvram) as the engine takes it. */
export interface CloneOptions extends Omit<CloneRequest, 'name' | 'uuid'> {
  /** The new domain's name (default with autoClone: NAME-clone). */
  readonly newName?: string;
  /** Raw disks copied by sharing extents (cp --reflink=always); other formats copied as usual (virt-clone). */
  readonly reflink?: boolean;
  /** Destroy and undefine a domain that has the new name first. */
  readonly replace?: boolean;
  /** Only plan: answer the clone's XML, make nothing (virt-clone --print-xml). */
  readonly printXml?: boolean;
}

export interface CloneDiskResult {
  readonly target: string;
  readonly action: DiskAction['action'];
  /** The new disk's storage: a path, or POOL/VOLUME (none when shared). */
  readonly path?: string;
}

export interface CloneResult {
  /** Null with printXml. */
  readonly domain: DomainInfo | null;
  readonly xml: string;
  readonly disks: CloneDiskResult[];
}

const refText = (r: StorageRef): string => (r.kind === 'file' ? r.path : `${r.pool}/${r.volume}`);

export async function cloneDomain(ctx: EngineContext, a: ActionOf<'clone'>, opts: DispatchOptions): Promise<ActionResults['clone']> {
  if (a.originalXml !== undefined) return cloneFrom(ctx, a, opts, (await ctx.xml()).parseDomain(a.originalXml));
  if (a.name === undefined) throw new VirtkitError('INVALID_ARGUMENT', "an original machine name is required, use '--original ORIGINAL_GUEST' and try again", {});
  const name = ctx.registry.resolve(a.name).name;
  return ctx.job(name, 'clone', opts, async () => {
    const rec = ctx.registry.named(name);
    if (rec.runtime !== undefined || rec.state.state !== 'shutoff') {
      throw new VirtkitError('OPERATION_INVALID', `Domain to clone must be shutoff: domain '${name}' is ${rec.state.state}`, { details: { domain: name, state: rec.state.state } });
    }
    return cloneFrom(ctx, a, opts, await ctx.defOf(rec));
  });
}

function newNameOf(ctx: EngineContext, a: CloneOptions, orig: DomainDef): string {
  const name = a.newName ?? (a.autoClone === true ? cloneName(orig.name, (n) => ctx.registry.byName(n) !== undefined) : undefined);
  if (name === undefined) throw new VirtkitError('INVALID_ARGUMENT', "a name is required for the new virtual machine, use '--name NEW_VM_NAME' to specify one", {});
  checkDomainName(name);
  if (name === orig.name) throw new VirtkitError('DOMAIN_EXISTS', `the clone cannot have its original's name '${name}'`, { details: { domain: name } });
  const existing = ctx.registry.byName(name);
  if (existing && a.replace !== true) {
    throw new VirtkitError('DOMAIN_EXISTS', `Invalid name for new guest: guest name '${name}' is already in use (--replace replaces it)`, { details: { domain: name, uuid: existing.uuid } });
  }
  return name;
}

/** The pools the original's volume disks name, looked up once so that the plan can ask about names synchronously. */
async function poolsOf(ctx: EngineContext, orig: DomainDef): Promise<Map<string, PoolRecord>> {
  const pools = new Map<string, PoolRecord>();
  for (const d of orig.devices?.disk ?? []) {
    const p = d.type === 'volume' ? d.source?.pool : undefined;
    if (p !== undefined && !pools.has(p)) pools.set(p, await lookupPool(ctx.storage, p));
  }
  return pools;
}

async function cloneFrom(ctx: EngineContext, a: ActionOf<'clone'>, opts: DispatchOptions, orig: DomainDef): Promise<CloneResult> {
  if (a.reflink === true && a.linked === true) throw new VirtkitError('INVALID_ARGUMENT', '--reflink and --linked do not go together: a linked clone copies nothing', {});
  const x = await ctx.xml();
  const name = newNameOf(ctx, a, orig);
  const pools = await poolsOf(ctx, orig);
  const taken = (r: StorageRef): boolean => {
    if (r.kind === 'file') return existsSync(r.path);
    const p = pools.get(r.pool);
    const dir = p?.def.target?.path;
    return p !== undefined && (p.volumes.has(r.volume) || (dir !== undefined && existsSync(join(dir, r.volume))));
  };
  const plan = planClone(orig, {
    name, uuid: randomUUID(), files: a.files ?? [], macs: a.macs ?? [], skipCopy: a.skipCopy ?? [],
    autoClone: a.autoClone === true, preserveData: a.preserveData === true, linked: a.linked === true, ...(a.nvram === undefined ? {} : { nvram: a.nvram }),
  }, taken);
  const def = x.prepareDomain(plan.def, ctx.deps.prepare);
  const prepared: Prepared = { def, summary: x.summarizeDomain(def), xml: x.formatDomain(def) };
  const disks = plan.disks.map((d): CloneDiskResult => ({ target: d.target, action: d.action, ...(d.action === 'share' ? {} : { path: refText(d.to) }) }));
  if (a.printXml === true) return { domain: null, xml: prepared.xml, disks };
  await checkTargets(ctx, plan);
  if (a.replace === true && ctx.registry.byName(name)) await replaceDomain(ctx, name, opts);
  return ctx.job(name, 'clone', opts, async () => {
    if (ctx.registry.byName(name)) throw new VirtkitError('DOMAIN_EXISTS', `domain '${name}' was defined meanwhile`, { details: { domain: name } });
    const made = await makeStorage(ctx, orig, plan, { onProgress: a.onProgress, reflink: a.reflink });
    try {
      await ctx.deps.config.save(name, prepared.xml);
    } catch (e) {
      await undo(ctx, made);
      throw e;
    }
    return { domain: ctx.view(addDefinition(ctx, prepared)), xml: prepared.xml, disks };
  });
}

/** --preserve-data: every named disk exists; else nothing that the clone writes exists already. */
async function checkTargets(ctx: EngineContext, plan: ClonePlan): Promise<void> {
  for (const d of plan.disks) {
    if (d.action !== 'preserve') continue;
    if (!placeTaken(await placeOf(ctx.storage, d.to), existsSync)) {
      throw new VirtkitError('CLONE_TARGET_MISSING', `--preserve-data: ${refText(d.to)} (for disk '${d.target}') does not exist; with --preserve-data every --file must be an existing image`, {
        details: { target: d.target, path: refText(d.to) },
      });
    }
  }
  const nv = plan.nvram;
  if (nv !== undefined && !nv.preserve && existsSync(nv.from) && existsSync(nv.to)) {
    throw new VirtkitError('CLONE_TARGET_EXISTS', `the clone's NVRAM file ${nv.to} exists already; choose another --nvram`, { details: { target: 'nvram', path: nv.to } });
  }
}

async function replaceDomain(ctx: EngineContext, name: string, opts: DispatchOptions): Promise<void> {
  const rec = ctx.registry.named(name);
  if (rec.runtime) await destroyDomain(ctx, { kind: 'destroy', name }, opts);
  if (ctx.registry.byName(name)?.persistent === true) await undefineDomain(ctx, { kind: 'undefine', name }, opts);
}

/** Copies, links and NVRAM, in order; on a failure, what was made is undone before the error goes on. */
async function makeStorage(ctx: EngineContext, orig: DomainDef, plan: ClonePlan, o: { onProgress?: ((p: CopyProgress) => void) | undefined; reflink?: boolean | undefined }): Promise<Made[]> {
  const onProgress = o.onProgress;
  const made: Made[] = [];
  try {
    for (const d of plan.disks) {
      if (d.action !== 'copy' && d.action !== 'link') continue;
      const format = orig.devices?.disk?.find((k) => k.target?.dev === d.target)?.driver?.type;
      const [from, to] = [await placeOf(ctx.storage, d.from), await placeOf(ctx.storage, d.to)];
      onProgress?.({ target: d.target, file: to.path.slice(to.path.lastIndexOf('/') + 1), percent: 0 });
      made.push(await makeDisk(ctx.storage, d, from, to, format, o));
    }
    const nv = plan.nvram;
    if (nv !== undefined && !nv.preserve && existsSync(nv.from)) made.push(await copyNvram(nv.from, nv.to));
  } catch (e) {
    await undo(ctx, made);
    throw e;
  }
  return made;
}

async function undo(ctx: EngineContext, made: readonly Made[]): Promise<void> {
  for (const m of [...made].reverse()) {
    await m.undo().catch((e: unknown) => ctx.log.error(`clone: cannot remove ${m.what} after the failure: ${errorText(e)}`));
  }
}
