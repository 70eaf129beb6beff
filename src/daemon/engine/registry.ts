/**
 * The daemon's in-memory view of its domains, by name, by UUID and by
 * runtime id. It holds no locks and does no I/O: the engine changes records
 * inside jobs and persists them through the stores.
 */
import { VirtkitError } from '../../core/errors.js';
import type { Holding } from '../../core/placement/index.js';
import type { DomainDef, DomainSummary } from '../domain-xml.js';
import type { RunningDomain } from '../driver.js';
import type { StateReason, StateWithReason } from '../state.js';
import type { RecordedCommit } from '../store/types.js';

export interface Runtime {
  readonly id: number;
  /** Undefined when the guest runs but the daemon could not reattach to it. */
  readonly handle: RunningDomain | undefined;
  readonly detachedWhy?: string;
  readonly liveDef: DomainDef;
  readonly liveSummary: DomainSummary;
  readonly pid: number;
  readonly qmpSocket: string;
  readonly startedAt: Date;
  readonly argv: readonly string[];
  readonly aliases: Readonly<Record<string, string>>;
  /** What automatic placement gave it (engine/placement.ts): held until the record goes. */
  readonly placement?: Holding;
  /** Set by destroy so that the driver's `stopped` event is recorded as 'destroyed'. */
  expectedStop?: StateReason<'shutoff'>;
  /**
   * The block commits of this run that have bookkeeping left for their end (closing, pivot, --delete's
   * removals; a ready active commit: what blockjob --pivot / --abort needs), by disk target. Recorded in
   * the status file, so that a restarted daemon finishes them as the request asked.
   */
  commits?: Map<string, RecordedCommit>;
}

export interface DomainRecord {
  readonly name: string;
  readonly uuid: string;
  /** The persistent definition as stored (for a transient domain: the one it was created from). */
  xml: string;
  /** `xml` parsed, on first need (EngineContext.defOf): start-up parses nothing it can avoid. */
  def: DomainDef | undefined;
  summary: DomainSummary;
  persistent: boolean;
  autostart: boolean;
  state: StateWithReason;
  runtime: Runtime | undefined;
  /** Status writes of this domain, chained so that the last one written is the newest. */
  statusWrites: Promise<void>;
}

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export function normalizeUuid(s: string): string | undefined {
  if (!UUID_RE.test(s)) return undefined;
  const h = s.replace(/-/g, '').toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export class Registry {
  readonly #byName = new Map<string, DomainRecord>();
  readonly #byUuid = new Map<string, DomainRecord>();
  /** UUIDs of definitions being written, so that two concurrent defines cannot both take one. */
  readonly #reserved = new Map<string, string>();
  #nextId = 1;

  get size(): number {
    return this.#byName.size;
  }

  all(): DomainRecord[] {
    return [...this.#byName.values()];
  }

  byName(name: string): DomainRecord | undefined {
    return this.#byName.get(name);
  }

  byUuid(uuid: string): DomainRecord | undefined {
    return this.#byUuid.get(uuid);
  }

  /**
   * Looks a domain up as virsh does: a number is a runtime id, then a UUID,
   * then a name. A name that looks like a number or UUID still works when no
   * running domain has that id or UUID.
   */
  find(ref: string): DomainRecord | undefined {
    if (/^\d+$/.test(ref)) {
      const id = Number(ref);
      for (const r of this.#byName.values()) if (r.runtime?.id === id) return r;
    }
    const uuid = normalizeUuid(ref);
    return (uuid === undefined ? undefined : this.#byUuid.get(uuid)) ?? this.#byName.get(ref);
  }

  resolve(ref: string): DomainRecord {
    const r = this.find(ref);
    if (!r) {
      throw new VirtkitError('DOMAIN_NOT_FOUND', `domain '${ref}' not found: no domain has that name, UUID or id`, {
        details: { domain: ref },
      });
    }
    return r;
  }

  /** By exact name, for a job that resolved its domain before it waited for the lock. */
  named(name: string): DomainRecord {
    const r = this.#byName.get(name);
    if (!r) {
      throw new VirtkitError('DOMAIN_NOT_FOUND', `domain '${name}' not found: it was undefined meanwhile`, {
        details: { domain: name },
      });
    }
    return r;
  }

  add(rec: DomainRecord): void {
    const other = this.#byUuid.get(rec.uuid);
    if (other && other.name !== rec.name) throw exists(other);
    this.#byName.set(rec.name, rec);
    this.#byUuid.set(rec.uuid, rec);
    if (rec.runtime) this.#nextId = Math.max(this.#nextId, rec.runtime.id + 1);
  }

  remove(rec: DomainRecord): void {
    if (this.#byName.get(rec.name) === rec) this.#byName.delete(rec.name);
    if (this.#byUuid.get(rec.uuid) === rec) this.#byUuid.delete(rec.uuid);
  }

  /** Claims a UUID for `name` while its definition is written; throws DOMAIN_EXISTS when taken. */
  reserveUuid(uuid: string, name: string): () => void {
    const owner = this.#byUuid.get(uuid);
    if (owner && owner.name !== name) throw exists(owner);
    const pending = this.#reserved.get(uuid);
    if (pending !== undefined && pending !== name) {
      throw new VirtkitError('DOMAIN_EXISTS', `UUID ${uuid} is being given to domain '${pending}' right now`, {
        details: { domain: pending, uuid },
      });
    }
    this.#reserved.set(uuid, name);
    return () => {
      if (this.#reserved.get(uuid) === name) this.#reserved.delete(uuid);
    };
  }

  allocateId(): number {
    return this.#nextId++;
  }
}

function exists(r: DomainRecord): VirtkitError {
  return new VirtkitError('DOMAIN_EXISTS', `domain '${r.name}' already exists with UUID ${r.uuid}`, {
    details: { domain: r.name, uuid: r.uuid },
  });
}
