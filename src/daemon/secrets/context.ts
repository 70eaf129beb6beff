/**
 * The secrets side of the engine: a registry of secrets on the generic object machinery
 * (../objects: a secret's name is its UUID), one job lock for every change (secret changes
 * are quick and must see each other's usages), the secret event bus, and the store.
 * Values live in the records as bytes; nothing here logs one.
 */
import { randomBytes } from 'node:crypto';
import { JobLocks } from '../engine/job-lock.js';
import { ObjectEventBus } from '../objects/object-events.js';
import { ObjectRegistry } from '../objects/object-registry.js';
import type { SecretDef, SecretUsageType } from '../../core/xml/secret/index.js';
import type { SecretStore } from './store.js';

/** libvirt's secret events: lifecycle (defined, undefined) and value-changed. */
export type SecretEventName = 'defined' | 'undefined' | 'value-changed';

export interface SecretRecord {
  /** The UUID: the registry keys objects by name. */
  readonly name: string;
  readonly uuid: string;
  def: SecretDef;
  value: Uint8Array | undefined;
}

export interface SecretInfo {
  readonly uuid: string;
  readonly ephemeral: boolean;
  readonly private: boolean;
  readonly description: string | null;
  /** The usage type and the object it names (the volume path, the ceph client...). */
  readonly usage: { readonly type: SecretUsageType; readonly id: string } | null;
  readonly hasValue: boolean;
}

export interface SecretDeps {
  readonly store: SecretStore;
  readonly now?: () => number;
  readonly random?: (n: number) => Uint8Array;
  readonly log: { warn(m: string): void; error(m: string): void };
}

/** The one lock key every secret change takes. */
const ALL = 'secrets';

export class SecretContext {
  readonly secrets = new ObjectRegistry<SecretRecord>({ noun: 'secret', notFound: 'SECRET_NOT_FOUND', exists: 'XML_CONFLICT' });
  readonly locks: JobLocks;
  readonly events: ObjectEventBus<'secret', SecretEventName>;
  readonly random: (n: number) => Uint8Array;

  constructor(readonly deps: SecretDeps) {
    const now = deps.now ?? Date.now;
    this.locks = new JobLocks(now, 'secret');
    this.random = deps.random ?? ((n) => new Uint8Array(randomBytes(n)));
    this.events = new ObjectEventBus('secret', now, (e, ev) => deps.log.error(`dropped a secret event subscriber that threw on ${ev.event}: ${String(e)}`));
  }

  job<T>(job: string, wait: number | undefined, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(ALL, job, wait ?? 10_000, fn);
  }
}

export function secretView(r: SecretRecord): SecretInfo {
  const u = r.def.usage;
  const id = u === undefined ? undefined : (u.volume ?? u.name ?? u.target);
  return {
    uuid: r.uuid, ephemeral: r.def.ephemeral === true, private: r.def.private === true, description: r.def.description ?? null,
    usage: u === undefined ? null : { type: u.type, id: id ?? '' }, hasValue: r.value !== undefined,
  };
}
