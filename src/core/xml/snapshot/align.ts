/**
 * Per-disk defaults given the domain (libvirt's virDomainSnapshotAlignDisks and
 * virDomainSnapshotDefAssignExternalNames): one snapshot disk per domain disk, in the
 * domain's order, named by target; each disk the input does not mention takes its own
 * snapshot= setting, else `defaultLocation`; empty drives and read-only disks are left out
 * ('no'); an external disk without a file gets an overlay next to its source named
 * BASENAME.SNAPNAME (the source's file name without its extension, as libvirt), qcow2.
 *
 * Pure: whether the source is a regular file and the overlay does not exist yet is for the
 * host side to check when it creates the overlays.
 */
import type { VirtkitError } from '../../errors.js';
import type { DomainDef } from '../domain/index.js';
import { diskSourcePath } from './defaults.js';
import { diskPath, problem, ROOT, throwFirst } from './paths.js';
import type { SnapshotDef, SnapshotDiskDef, SnapshotLocation } from './schema.js';

type DomainDisk = NonNullable<NonNullable<DomainDef['devices']>['disk']>[number];

function domainDiskSource(d: DomainDisk): string | undefined {
  const s = d.source;
  return s?.file ?? s?.dev ?? s?.name ?? s?.dir ?? (s?.volume !== undefined ? `${s.pool ?? ''}/${s.volume}` : undefined);
}

/** The domain disk's own snapshot setting; read-only disks (cdroms are) default to 'no', as libvirt's post-parse. */
function domainDiskLocation(d: DomainDisk): SnapshotLocation | undefined {
  return d.snapshot ?? (d.readonly !== undefined || d.device === 'cdrom' ? 'no' : undefined);
}

/** libvirt's virDomainDiskByName: a target name, else the one disk whose source path it is. */
function findDomainDisk(disks: readonly DomainDisk[], name: string): DomainDisk | undefined {
  const byTarget = disks.find((d) => d.target?.dev === name);
  if (byTarget) return byTarget;
  const bySource = disks.filter((d) => domainDiskSource(d) === name);
  return bySource.length === 1 ? bySource[0] : undefined;
}

/**
 * Returns a new snapshot whose disks match the domain's one to one. With `requireUniform`
 * (QEMU cannot take an internal snapshot of some disks only) and an internal default, every
 * disk the input names must be internal too, or 'no' where the domain disk says 'no'.
 */
export function alignSnapshotDisks(input: SnapshotDef, domain: DomainDef, defaultLocation: SnapshotLocation, requireUniform = true): SnapshotDef {
  const def = structuredClone(input);
  const domDisks = domain.devices?.disk ?? [];
  const given = def.disks?.disk ?? [];
  const requireMatch = requireUniform && defaultLocation === 'internal';
  const out: VirtkitError[] = [];
  if (given.length > domDisks.length) {
    out.push(problem('XML_CONFLICT', `${ROOT}/disks`, `${given.length} disks are named, but domain '${domain.name}' has ${domDisks.length}`));
  }
  const byTarget = new Map<string, SnapshotDiskDef>();
  given.forEach((sd, i) => {
    const at = diskPath(i, given.length);
    const dd = findDomainDisk(domDisks, sd.name);
    const dst = dd?.target?.dev;
    if (!dd || dst === undefined) {
      out.push(problem('XML_INVALID_VALUE', `${at}/@name`, `domain '${domain.name}' has no disk named '${sd.name}' (name a disk by its target, e.g. 'vda', or its source path)`));
      return;
    }
    if (byTarget.has(dst)) {
      out.push(problem('XML_DUPLICATE', `${at}/@name`, `disk '${sd.name}' (target '${dst}') is named twice`));
      return;
    }
    const own = domainDiskLocation(dd);
    if (sd.snapshot === undefined) {
      sd.snapshot = own !== undefined && (!requireMatch || own === 'no') ? own : defaultLocation;
    } else if (requireMatch && sd.snapshot !== defaultLocation && !(sd.snapshot === 'no' && own === 'no')) {
      out.push(problem('XML_CONFLICT', `${at}/@snapshot`, `disk '${sd.name}' must use snapshot mode '${defaultLocation}' like the others (QEMU snapshots all disks internally or none)`));
    }
    const path = diskSourcePath(sd);
    if (path !== undefined && sd.snapshot !== 'external') {
      out.push(problem('XML_CONFLICT', `${at}/@snapshot`, `the file '${path}' for disk '${sd.name}' requires snapshot='external'`));
    }
    sd.name = dst;
    byTarget.set(dst, sd);
  });
  throwFirst(out);
  if (domDisks.length === 0) return def;

  const disks = domDisks.map((dd): SnapshotDiskDef => {
    const dst = dd.target?.dev ?? '';
    const existing = byTarget.get(dst);
    if (existing) return existing;
    const location = domainDiskSource(dd) === undefined ? 'no' : (domainDiskLocation(dd) ?? defaultLocation);
    return { name: dst, snapshot: location, type: 'file' };
  });
  def.disks = { disk: disks };
  assignOverlayNames(def, domDisks);
  return def;
}

/** BASENAME.SNAPNAME next to the source: the source's file name loses its extension (after the last '.'), as libvirt. */
export function overlayPath(source: string, snapshotName: string): string {
  const slash = source.lastIndexOf('/');
  const dot = source.lastIndexOf('.');
  const base = dot > slash + 1 ? source.slice(0, dot) : source;
  return `${base}.${snapshotName}`;
}

function assignOverlayNames(def: SnapshotDef, domDisks: readonly DomainDisk[]): void {
  const disks = def.disks?.disk ?? [];
  const out: VirtkitError[] = [];
  const at = (i: number): string => diskPath(i, disks.length);
  disks.forEach((sd, i) => {
    if (sd.snapshot !== 'external') return;
    sd.driver = { ...sd.driver, type: sd.driver?.type ?? 'qcow2' };
    if (diskSourcePath(sd) !== undefined) return;
    sd.type ??= 'file';
    if (sd.type !== 'file') {
      out.push(problem('XML_MISSING', `${at(i)}/source`, `virtkit cannot name an overlay for disk '${sd.name}' on a '${sd.type}' device; give one with <source>`));
      return;
    }
    const dd = domDisks.find((d) => d.target?.dev === sd.name);
    const src = dd?.source?.file;
    if (src === undefined || (dd?.type !== undefined && dd.type !== 'file')) {
      out.push(problem('XML_MISSING', `${at(i)}/source`, `disk '${sd.name}' is not a file, so virtkit cannot name its overlay next to it; give one with <source file='/path'>`));
      return;
    }
    if (def.name === undefined) throw new Error('alignSnapshotDisks: the snapshot needs its name (run snapshotDefaults first)');
    const path = overlayPath(src, def.name);
    const clash = disks.findIndex((o, j) => j < i && diskSourcePath(o) === path);
    if (clash >= 0) {
      out.push(problem('XML_CONFLICT', `${at(i)}/source`, `the overlay name '${path}' for disk '${sd.name}' collides with disk '${disks[clash]?.name ?? ''}'; give one with <source file='/path'>`));
      return;
    }
    sd.source = { file: path };
  });
  throwFirst(out);
}
