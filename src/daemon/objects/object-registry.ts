/**
 * The daemon's in-memory view of one kind of named object (storage pools today; domains, networks
 * and snapshots can move onto it), by name and by UUID. Like the domain registry it holds no locks
 * and does no I/O: the engine changes records inside jobs and persists them through the stores.
 * What differs between kinds is only how their errors read, given as an ObjectKind.
 */
import { VirtkitError, type ErrorCode } from '../../core/errors.js';

/** How one kind of object names itself in errors. */
export interface ObjectKind {
  /** 'pool', 'domain': the word used in messages and as the details key. */
  readonly noun: string;
  readonly notFound: ErrorCode;
  readonly exists: ErrorCode;
}

export interface NamedObject {
  readonly name: string;
  readonly uuid: string;
}

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export function normalizeUuid(s: string): string | undefined {
  if (!UUID_RE.test(s)) return undefined;
  const h = s.replace(/-/g, '').toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export class ObjectRegistry<R extends NamedObject> {
  readonly #byName = new Map<string, R>();
  readonly #byUuid = new Map<string, R>();
  /** UUIDs of definitions being written, so that two concurrent defines cannot both take one. */
  readonly #reserved = new Map<string, string>();

  constructor(readonly kind: ObjectKind) {}

  get size(): number {
    return this.#byName.size;
  }

  all(): R[] {
    return [...this.#byName.values()];
  }

  byName(name: string): R | undefined {
    return this.#byName.get(name);
  }

  byUuid(uuid: string): R | undefined {
    const u = normalizeUuid(uuid);
    return u === undefined ? undefined : this.#byUuid.get(u);
  }

  /** By UUID, then by name (a name that looks like a UUID still works when no object has that UUID). */
  find(ref: string): R | undefined {
    return this.byUuid(ref) ?? this.#byName.get(ref);
  }

  resolve(ref: string): R {
    const r = this.find(ref);
    if (!r) throw this.notFound(ref, 'no %s has that name or UUID');
    return r;
  }

  /** By exact name, for a job that resolved its object before it waited for the lock. */
  named(name: string): R {
    const r = this.#byName.get(name);
    if (!r) throw this.notFound(name, 'it was removed meanwhile');
    return r;
  }

  add(rec: R): void {
    const other = this.#byUuid.get(rec.uuid);
    if (other && other.name !== rec.name) throw this.exists(other);
    const old = this.#byName.get(rec.name);
    if (old && old.uuid !== rec.uuid && this.#byUuid.get(old.uuid) === old) this.#byUuid.delete(old.uuid);
    this.#byName.set(rec.name, rec);
    this.#byUuid.set(rec.uuid, rec);
  }

  remove(rec: R): void {
    if (this.#byName.get(rec.name) === rec) this.#byName.delete(rec.name);
    if (this.#byUuid.get(rec.uuid) === rec) this.#byUuid.delete(rec.uuid);
  }

  /** Claims a UUID for `name` while its definition is written; throws the kind's `exists` code when taken. */
  reserveUuid(uuid: string, name: string): () => void {
    const owner = this.#byUuid.get(uuid);
    if (owner && owner.name !== name) throw this.exists(owner);
    const pending = this.#reserved.get(uuid);
    if (pending !== undefined && pending !== name) {
      throw new VirtkitError(this.kind.exists, `UUID ${uuid} is being given to ${this.kind.noun} '${pending}' right now`, {
        details: { [this.kind.noun]: pending, uuid },
      });
    }
    this.#reserved.set(uuid, name);
    return () => {
      if (this.#reserved.get(uuid) === name) this.#reserved.delete(uuid);
    };
  }

  /** The error for an object `ref` that does not exist; `why` may name the kind as %s. */
  notFound(ref: string, why: string): VirtkitError {
    const { noun } = this.kind;
    return new VirtkitError(this.kind.notFound, `${noun} '${ref}' not found: ${why.replace('%s', noun)}`, {
      details: { [noun]: ref },
    });
  }

  exists(r: R): VirtkitError {
    const { noun } = this.kind;
    return new VirtkitError(this.kind.exists, `${noun} '${r.name}' already exists with UUID ${r.uuid}`, {
      details: { [noun]: r.name, uuid: r.uuid },
    });
  }
}
