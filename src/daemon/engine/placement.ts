/**
 * Automatic placement at start (docs/placement.md): a domain whose `<vcpu placement='auto'>` or
 * `<numatune><memory placement='auto'/>` asks for it is placed on the host's topology, read
 * with its memory facts through the engine's HostReader (so a test points it at a fake tree),
 * and started with applyPlacement's tuning as its live definition; the driver's tuning code
 * applies the pins and the numatune as for hand-written ones. The definition on disk keeps
 * placement='auto'.
 *
 * What each running domain holds lives in its runtime record (and its status file, so that a
 * restarted daemon knows it); it is released when the record goes, i.e. when the domain stops.
 * Between the choice and the runtime record a start keeps a reservation, and every choice is
 * made under one daemon-wide lock: two starts never take the same CPUs.
 */
import { applyPlacement, heldPerNode, placeDomain, placementRequest, smtPolicyOf, type Holding, type NodeHeld } from '../../core/placement/index.js';
import { SerialQueue } from '../../core/serial-queue.js';
import type { DomainDef } from '../domain-xml.js';
import type { EngineContext } from './context.js';

interface PlacementState {
  /** Placements, one at a time: each waits for the one before. */
  readonly lock: SerialQueue;
  /** Placed but not yet running: domain name -> holding. */
  readonly reserved: Map<string, Holding>;
}

const states = new WeakMap<EngineContext, PlacementState>();

function stateOf(ctx: EngineContext): PlacementState {
  let s = states.get(ctx);
  if (!s) {
    s = { lock: new SerialQueue(), reserved: new Map() };
    states.set(ctx, s);
  }
  return s;
}

export function wantsPlacement(def: DomainDef): boolean {
  return def.vcpu?.placement === 'auto' || def.numatune?.memory?.placement === 'auto';
}

/** What running domains hold, and starts that placed and have not run yet. */
export function currentHoldings(ctx: EngineContext): Holding[] {
  const out: Holding[] = [];
  for (const rec of ctx.registry.all()) {
    const h = rec.runtime?.placement;
    if (h) out.push(h);
  }
  for (const h of stateOf(ctx).reserved.values()) out.push(h);
  return out;
}

export interface Placed {
  readonly def: DomainDef;
  readonly holding: Holding | undefined;
  /** Drops the reservation: call once the runtime record holds `holding`, or the start failed. */
  readonly done: () => void;
}

/** Places `def` when it asks for it (PLACEMENT_NO_FIT before anything runs, nothing held). */
export async function placeForStart(ctx: EngineContext, def: DomainDef): Promise<Placed> {
  if (!wantsPlacement(def)) return { def, holding: undefined, done: () => undefined };
  const s = stateOf(ctx);
  return s.lock.run(async () => {
    const [host, facts] = await Promise.all([ctx.host.topology(), ctx.host.memoryFacts()]);
    const smt = smtPolicyOf(def);
    const request = placementRequest(def, { defaultHugepageKiB: facts.defaultHugepageKiB, ...(smt === undefined ? {} : { smt }) });
    const p = placeDomain({ host, holdings: currentHoldings(ctx), request });
    s.reserved.set(def.name, p.holding);
    return { def: applyPlacement(def, p), holding: p.holding, done: () => { s.reserved.delete(def.name); } };
  });
}

/** A holding read back from a status file; undefined when it is not one. */
export function holdingFrom(v: unknown): Holding | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const ints = (a: unknown): boolean => Array.isArray(a) && a.every((x) => Number.isSafeInteger(x));
  const objs = (a: unknown, keys: readonly string[]): boolean => Array.isArray(a) && a.every((x) =>
    typeof x === 'object' && x !== null && keys.every((k) => Number.isSafeInteger((x as Record<string, unknown>)[k])));
  const ok = typeof o['domain'] === 'string' && ints(o['cpus']) && objs(o['memory'], ['node', 'kiB']) &&
    objs(o['hugepages'], ['node', 'sizeKiB', 'pages']);
  return ok ? (o as unknown as Holding) : undefined;
}

export interface PlacementView {
  readonly holdings: readonly Holding[];
  readonly nodes: readonly NodeHeld[];
}

/** `virtkit placement`: the holdings by domain name, and per node what they hold. */
export async function placementView(ctx: EngineContext): Promise<PlacementView> {
  const holdings = currentHoldings(ctx).sort((a, b) => a.domain.localeCompare(b.domain));
  return { holdings, nodes: heldPerNode(await ctx.host.topology(), holdings) };
}
