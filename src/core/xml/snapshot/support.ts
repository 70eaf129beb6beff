/**
 * What virtkit can carry out (issue 7): internal snapshots of qcow2 disks with the memory, and
 * external disk-only snapshots onto new qcow2 overlay files. Everything else libvirt's XML can
 * say is refused here, before anything is touched, rather than half done.
 */
import type { VirtkitError } from '../../errors.js';
import type { DomainDef } from '../domain/index.js';
import { diskPath, problem, ROOT, throwFirst } from './paths.js';
import type { SnapshotDef } from './schema.js';

export function snapshotSupportProblems(def: SnapshotDef, domain: DomainDef): VirtkitError[] {
  const out: VirtkitError[] = [];
  if (def.memory?.snapshot === 'external') {
    out.push(problem('XML_UNSUPPORTED', `${ROOT}/memory/@snapshot`, "external memory snapshots are not supported yet; take an internal snapshot (the default) or a --disk-only one"));
  }
  const disks = def.disks?.disk ?? [];
  const internal = disks.filter((d) => d.snapshot === 'internal');
  const external = disks.filter((d) => d.snapshot === 'external');
  if (internal.length > 0 && external.length > 0) {
    out.push(
      problem('XML_UNSUPPORTED', `${ROOT}/disks`, `disks ${internal.map((d) => `'${d.name}'`).join(', ')} are internal and ${external.map((d) => `'${d.name}'`).join(', ')} external: one snapshot cannot mix them`),
    );
  }
  disks.forEach((d, i) => {
    const at = diskPath(i, disks.length);
    if (d.snapshot === 'manual') out.push(problem('XML_UNSUPPORTED', `${at}/@snapshot`, `snapshot='manual' (disk '${d.name}') is not supported; use 'external', 'internal' or 'no'`));
    if (d.snapshot === 'external') {
      if (d.type !== undefined && d.type !== 'file') out.push(problem('XML_UNSUPPORTED', `${at}/@type`, `an overlay on a '${d.type}' device (disk '${d.name}') is not supported; overlays are files`));
      const fmt = d.driver?.type;
      if (fmt !== undefined && fmt !== 'qcow2') out.push(problem('XML_UNSUPPORTED', `${at}/driver/@type`, `an overlay in format '${fmt}' (disk '${d.name}') is not supported; overlays are qcow2`));
    }
    if (d.snapshot === 'internal') {
      const dd = domain.devices?.disk?.find((x) => x.target?.dev === d.name);
      const fmt = dd?.driver?.type ?? 'raw';
      if (fmt !== 'qcow2') out.push(problem('XML_UNSUPPORTED', `${at}/@snapshot`, `disk '${d.name}' is ${fmt}: an internal snapshot needs a qcow2 disk (or take a --disk-only snapshot)`));
    }
  });
  return out;
}

export function checkSnapshotSupport(def: SnapshotDef, domain: DomainDef): void {
  throwFirst(snapshotSupportProblems(def, domain));
}
