/**
 * Persistence behind two interfaces. Nothing above them knows whether it
 * talks to files on this host (file-*.ts) or something else (memory-*.ts in
 * tests today, a distributed store when hosts form a cluster).
 *
 * ConfigStore: persistent domain definitions and their autostart flags.
 * StatusStore: runtime status of running domains, kept apart from the
 * configuration because it describes a process, not a wish.
 */
import { VirtkitError } from '../../core/errors.js';
import type { Holding } from '../../core/placement/index.js';
import type { StateWithReason } from '../state.js';

export interface StoredDomain {
  readonly name: string;
  readonly xml: string;
  readonly autostart: boolean;
}

export interface ConfigStore {
  /** Every definition; leftovers of interrupted writes are cleaned, never returned. */
  loadAll(): Promise<StoredDomain[]>;
  list(): Promise<string[]>;
  load(name: string): Promise<string | undefined>;
  /** Replaces the definition atomically: readers see the old or the new one. */
  save(name: string, xml: string): Promise<void>;
  /** Removes the definition and its autostart flag; returns whether it existed. */
  delete(name: string): Promise<boolean>;
  getAutostart(name: string): Promise<boolean>;
  setAutostart(name: string, enabled: boolean): Promise<void>;
}

export type DomainStatus = StateWithReason & {
  readonly name: string;
  readonly uuid: string;
  /** Runtime id (virsh `Id`), unique among running domains of this daemon. */
  readonly id: number;
  readonly pid: number;
  readonly qmpSocket: string;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly argv: readonly string[];
  /** Device alias -> what it is, as the driver reports it. */
  readonly aliases: Readonly<Record<string, string>>;
  /** The live definition (transient domains have no other copy). */
  readonly xml: string;
  readonly persistent: boolean;
  /** What automatic placement gave the domain (docs/placement.md), so a restarted daemon keeps it held. */
  readonly placement?: Holding;
  /** The block commits whose end still has bookkeeping to do, by disk target (a restarted daemon does it). */
  readonly blockCommits?: Readonly<Record<string, RecordedCommit>>;
};

/**
 * A block commit's bookkeeping for its end: the images merged (closed in QEMU once it ends, unless
 * the overlay is kept), the base (the disk's image after a pivot), the files --delete removes, and
 * how an active commit ends ('ready': left for blockjob --pivot / --abort). Plain JSON: it lives in
 * the status file.
 */
export interface RecordedCommit {
  readonly merged: readonly string[];
  readonly base: { readonly file: string; readonly format: string };
  readonly remove: readonly string[];
  readonly finish?: 'pivot' | 'keep-overlay' | 'ready';
}

/** The recorded commits of a status file that have the right shape (others are dropped). */
export function recordedCommitsOf(v: unknown): Map<string, RecordedCommit> {
  const out = new Map<string, RecordedCommit>();
  if (typeof v !== 'object' || v === null) return out;
  const strings = (a: unknown): a is string[] => Array.isArray(a) && a.every((x) => typeof x === 'string');
  for (const [disk, c] of Object.entries(v as Record<string, unknown>)) {
    if (typeof c !== 'object' || c === null) continue;
    const r = c as Record<string, unknown>;
    const base = r['base'] as Record<string, unknown> | null | undefined;
    const finish = r['finish'];
    if (!strings(r['merged']) || !strings(r['remove']) || typeof base?.['file'] !== 'string' || typeof base['format'] !== 'string') continue;
    if (finish !== undefined && finish !== 'pivot' && finish !== 'keep-overlay' && finish !== 'ready') continue;
    out.set(disk, { merged: r['merged'], remove: r['remove'], base: { file: base['file'], format: base['format'] }, ...(finish === undefined ? {} : { finish }) });
  }
  return out;
}

export interface StatusStore {
  loadAll(): Promise<DomainStatus[]>;
  save(status: DomainStatus): Promise<void>;
  delete(name: string): Promise<boolean>;
}

const NAME_MAX_BYTES = 200;

/**
 * Domain names become file names: refuse what a file name cannot carry or
 * what would escape the directory. libvirt forbids '/' and newlines too.
 */
export function checkDomainName(name: string): void {
  checkObjectName('domain', name);
}

/** The same rule for any kind of object whose definitions are files named after it (domain, pool). */
export function checkObjectName(kind: string, name: string): void {
  const why =
    name === '' ? 'it is empty'
    : name.includes('/') ? "it contains '/'"
    : name.startsWith('.') ? "it starts with '.'"
    // eslint-disable-next-line no-control-regex
    : /[\u0000-\u001f\u007f]/.test(name) ? 'it contains a control character'
    : Buffer.byteLength(name) > NAME_MAX_BYTES ? `it is longer than ${NAME_MAX_BYTES} bytes`
    : undefined;
  if (why !== undefined) {
    throw new VirtkitError('XML_INVALID_VALUE', `invalid ${kind} name '${name}': ${why}`, { details: { name } });
  }
}
