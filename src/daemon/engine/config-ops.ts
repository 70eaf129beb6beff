/**
 * Actions on persistent definitions: define, undefine, autostart. They need
 * no hypervisor driver.
 */
import { VirtkitError } from '../../core/errors.js';
import type { DomainDef, DomainSummary } from '../domain-xml.js';
import { checkDomainName } from '../store/types.js';
import type { ActionOf, ActionResults, DispatchOptions } from './actions.js';
import type { EngineContext } from './context.js';
import type { DomainRecord } from './registry.js';
import { undefineSnapshots } from '../snapshots/store.js';

export interface Prepared {
  readonly def: DomainDef;
  readonly summary: DomainSummary;
  /** The definition as formatted: what the store keeps. */
  readonly xml: string;
}

/** Parses and fills defaults; a definition without a uuid keeps the one its name already has. */
export async function prepareFor(ctx: EngineContext, text: string): Promise<Prepared> {
  const x = await ctx.xml();
  const parsed = x.withoutRunState(x.parseDomain(text));
  checkDomainName(parsed.name);
  const existing = ctx.registry.byName(parsed.name);
  const withUuid = parsed.uuid === undefined && existing ? { ...parsed, uuid: existing.uuid } : parsed;
  const def = x.prepareDomain(withUuid, ctx.deps.prepare);
  return { def, summary: x.summarizeDomain(def), xml: x.formatDomain(def) };
}

export function newRecord(
  p: { xml: string; summary: DomainSummary; def?: DomainDef },
  persistent: boolean,
  autostart = false,
): DomainRecord {
  return {
    name: p.summary.name, uuid: p.summary.uuid, xml: p.xml, def: p.def, summary: p.summary, persistent, autostart,
    state: { state: 'shutoff', reason: 'unknown' }, runtime: undefined, statusWrites: Promise.resolve(),
  };
}

export async function defineDomain(
  ctx: EngineContext,
  a: ActionOf<'define'>,
  opts: DispatchOptions,
): Promise<ActionResults['define']> {
  const prepared = await prepareFor(ctx, a.xml);
  const { summary } = prepared;
  return ctx.job(summary.name, 'define', opts, async () => {
    const existing = ctx.registry.byName(summary.name);
    if (existing && existing.uuid !== summary.uuid) {
      throw new VirtkitError('DOMAIN_EXISTS', `domain '${existing.name}' already exists with UUID ${existing.uuid}`, {
        details: { domain: existing.name, uuid: existing.uuid },
      });
    }
    const release = ctx.registry.reserveUuid(summary.uuid, summary.name);
    try {
      await ctx.deps.config.save(summary.name, prepared.xml);
    } finally {
      release();
    }
    if (existing) {
      const wasPersistent = existing.persistent;
      existing.xml = prepared.xml;
      existing.def = prepared.def;
      existing.summary = summary;
      existing.persistent = true;
      ctx.definitionsChanged();
      if (existing.runtime && !wasPersistent) void ctx.persistStatus(existing);
      ctx.events.emit(existing, { event: 'defined', detail: 'updated' });
      return { domain: ctx.view(existing), created: false };
    }
    return { domain: ctx.view(addDefinition(ctx, prepared)), created: true };
  });
}

/** A new persistent domain, its definition already saved: registered and announced. */
export function addDefinition(ctx: EngineContext, prepared: Prepared): DomainRecord {
  const rec = newRecord(prepared, true);
  ctx.registry.add(rec);
  ctx.definitionsChanged();
  ctx.events.emit(rec, { event: 'defined', detail: 'added' });
  return rec;
}

function requirePersistent(rec: DomainRecord, what: string): void {
  if (!rec.persistent) {
    throw new VirtkitError('OPERATION_INVALID', `cannot ${what} transient domain '${rec.name}'`, {
      details: { domain: rec.name },
    });
  }
}

export async function undefineDomain(
  ctx: EngineContext,
  a: ActionOf<'undefine'>,
  opts: DispatchOptions,
): Promise<ActionResults['undefine']> {
  const name = ctx.registry.resolve(a.name).name;
  return ctx.job(name, 'undefine', opts, async () => {
    const rec = ctx.registry.named(name);
    requirePersistent(rec, 'undefine');
    const forgetSnapshots = await undefineSnapshots(ctx, rec.name, rec.uuid, a.snapshotsMetadata === true);
    await ctx.deps.config.delete(rec.name);
    await forgetSnapshots();
    rec.persistent = false;
    rec.autostart = false;
    ctx.definitionsChanged();
    // A running domain lives on as a transient one and disappears when it stops.
    if (rec.runtime) void ctx.persistStatus(rec);
    else ctx.registry.remove(rec);
    ctx.events.emit(rec, { event: 'undefined', detail: 'removed' });
    return ctx.view(rec);
  });
}

export async function setAutostart(
  ctx: EngineContext,
  a: ActionOf<'setAutostart'>,
  opts: DispatchOptions,
): Promise<ActionResults['setAutostart']> {
  const name = ctx.registry.resolve(a.name).name;
  return ctx.job(name, 'autostart', opts, async () => {
    const rec = ctx.registry.named(name);
    requirePersistent(rec, 'set autostart for');
    await ctx.deps.config.setAutostart(rec.name, a.enabled);
    rec.autostart = a.enabled;
    return ctx.view(rec);
  });
}
