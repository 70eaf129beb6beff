/**
 * snapshot-create's whole definition step, as libvirt's QEMU driver (qemuSnapshotCreateAlignDisks):
 * a pure function of the input, the domain, its state and the flags. It fills the record
 * (state, parent, creationTime, the domain), the memory setting and every disk, then checks
 * what virtkit can carry out (support.ts).
 */
import { VirtkitError } from '../../errors.js';
import type { DomainDef } from '../domain/index.js';
import { alignSnapshotDisks } from './align.js';
import { snapshotDefaults } from './defaults.js';
import { problem, ROOT } from './paths.js';
import type { SnapshotDef, SnapshotLocation, SnapshotState } from './schema.js';
import { checkSnapshotSupport } from './support.js';
import { validateSnapshot } from './validate.js';

export interface SnapshotFlags {
  /** --disk-only: no memory; every disk external (a new qcow2 overlay) unless it says otherwise. */
  diskOnly?: boolean;
  /** --redefine: the XML is an existing snapshot's record. */
  redefine?: boolean;
  /** --no-metadata: take the snapshot but keep no record of it. */
  noMetadata?: boolean;
}

export interface SnapshotCreateContext {
  /** The domain's definition (the live one when it runs): it becomes the snapshot's <domain>. */
  domain: DomainDef;
  /** The domain's state now: 'running', 'paused', 'shutoff'... */
  state: Exclude<SnapshotState, 'disk-snapshot'>;
  /** Seconds since the epoch, from the injected clock. */
  now: number;
  /** The current snapshot's name, which becomes the parent. */
  parent?: string;
  flags: SnapshotFlags;
}

/** libvirt's flag rules (VIR_EXCLUSIVE_FLAGS and friends). */
export function checkSnapshotFlags(flags: SnapshotFlags): void {
  if (flags.redefine === true && flags.noMetadata === true) {
    throw new VirtkitError('INVALID_ARGUMENT', '--redefine and --no-metadata cannot go together: redefining a snapshot only writes its metadata');
  }
}

const online = (s: SnapshotState): boolean => s === 'running' || s === 'paused';

export function prepareSnapshotCreate(input: SnapshotDef, ctx: SnapshotCreateContext): SnapshotDef {
  checkSnapshotFlags(ctx.flags);
  if (ctx.flags.redefine === true) throw new Error('prepareSnapshotCreate: a redefinition is prepared with snapshotDefaults(mode redefine)');
  const def = snapshotDefaults(input, { mode: 'create', now: ctx.now });
  validateSnapshot(def, 'create');

  let align: SnapshotLocation;
  const asked = def.memory?.snapshot;
  if (ctx.flags.diskOnly === true) {
    if (asked !== undefined && asked !== 'no') {
      throw problem('XML_CONFLICT', `${ROOT}/memory/@snapshot`, `a disk-only snapshot cannot save the memory (snapshot='${asked}'); drop <memory> or --disk-only`);
    }
    def.state = online(ctx.state) ? 'disk-snapshot' : 'shutoff';
    def.memory = { snapshot: 'no' };
    align = 'external';
  } else if (asked === 'external') {
    def.state = ctx.state;
    align = 'external';
  } else {
    def.state = ctx.state;
    if (online(ctx.state) && asked === 'no') {
      throw problem(
        'XML_CONFLICT',
        `${ROOT}/memory/@snapshot`,
        `an internal snapshot of a ${ctx.state} domain must include the memory; drop snapshot='no', or take a --disk-only snapshot`,
      );
    }
    def.memory = { snapshot: ctx.state === 'shutoff' ? 'no' : 'internal' };
    align = 'internal';
  }
  if (ctx.parent !== undefined) def.parent = { name: ctx.parent };
  def.domain = { def: ctx.domain };

  const aligned = alignSnapshotDisks(def, ctx.domain, align, true);
  checkSnapshotSupport(aligned, ctx.domain);
  return aligned;
}
