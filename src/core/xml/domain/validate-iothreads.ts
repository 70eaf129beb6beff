/**
 * Rules for the IOThreads a disk names: <driver iothread='N'> or libvirt
 * 10.0's <driver><iothreads> with optional virtqueue mapping. Mirrors
 * libvirt's validation: the two forms exclude each other, only virtio disks
 * take them, every IOThread must exist in the domain and be named once, and a
 * queue mapping covers each of <driver queues='N'>'s queues exactly once.
 */
import { VirtkitError } from '../../errors.js';
import type { ErrorCode } from '../../errors.js';
import type { DiskDef } from './schema/disk.js';
import type { DomainDef } from './schema/domain.js';

const problem = (code: ErrorCode, path: string, message: string): VirtkitError =>
  new VirtkitError(code, `${path}: ${message}`, { details: { path } });

/** The domain's IOThread ids: <iothreadids>, else 1..<iothreads>. */
export function domainIothreadIds(def: DomainDef): Set<number> {
  const listed = def.iothreadids?.iothread ?? [];
  if (listed.length > 0) return new Set(listed.map((t) => t.id));
  return new Set(Array.from({ length: def.iothreads ?? 0 }, (_, i) => i + 1));
}

export function checkDiskIothreads(def: DomainDef, d: DiskDef, path: string, out: VirtkitError[]): void {
  const dr = d.driver;
  const mapping = dr?.iothreads;
  if (dr?.iothread === undefined && mapping === undefined) return;
  const ids = domainIothreadIds(def);
  const bus = d.target?.bus ?? (d.target?.dev.startsWith('vd') ? 'virtio' : undefined);
  if (bus !== 'virtio') out.push(problem('XML_CONFLICT', `${path}/driver`, `IOThreads are only for disks on bus 'virtio', not '${bus ?? '(default)'}'`));
  if (dr?.iothread !== undefined) {
    if (mapping !== undefined) out.push(problem('XML_CONFLICT', `${path}/driver/iothreads`, "<iothreads> and the iothread='N' attribute exclude each other: use one"));
    if (!ids.has(dr.iothread)) out.push(problem('XML_CONFLICT', `${path}/driver/@iothread`, `IOThread ${dr.iothread} is not defined in the domain's <iothreads>/<iothreadids>`));
  }
  if (mapping === undefined) return;
  const threads = mapping.iothread ?? [];
  const mp = `${path}/driver/iothreads`;
  if (threads.length === 0) out.push(problem('XML_MISSING', mp, 'an <iothreads> element needs at least one <iothread id=.../>'));
  const seen = new Set<number>();
  threads.forEach((t, i) => {
    const tp = `${mp}/iothread[${i + 1}]`;
    if (!ids.has(t.id)) out.push(problem('XML_CONFLICT', `${tp}/@id`, `IOThread ${t.id} is not defined in the domain's <iothreads>/<iothreadids>`));
    if (seen.has(t.id)) out.push(problem('XML_DUPLICATE', `${tp}/@id`, `IOThread ${t.id} is listed more than once`));
    seen.add(t.id);
  });
  const mapped = threads.filter((t) => (t.queue ?? []).length > 0);
  if (mapped.length === 0) return;
  if (mapped.length !== threads.length) {
    out.push(problem('XML_CONFLICT', mp, 'map virtqueues for every <iothread> or for none (none: QEMU spreads the queues over them)'));
  }
  const queues = dr?.queues;
  if (queues === undefined) {
    out.push(problem('XML_MISSING', `${path}/driver/@queues`, "mapping IOThreads to virtqueues needs <driver queues='N'>"));
    return;
  }
  const owner = new Map<number, number>();
  threads.forEach((t, i) => {
    for (const [j, q] of (t.queue ?? []).entries()) {
      const qp = `${mp}/iothread[${i + 1}]/queue[${j + 1}]/@id`;
      if (q.id >= queues) out.push(problem('XML_INVALID_VALUE', qp, `queue ${q.id} does not exist: the disk has ${queues} queues, numbered from 0`));
      else if (owner.has(q.id)) out.push(problem('XML_DUPLICATE', qp, `queue ${q.id} is already mapped to IOThread ${owner.get(q.id)}`));
      else owner.set(q.id, t.id);
    }
  });
  for (let q = 0; q < queues; q++) if (!owner.has(q)) out.push(problem('XML_MISSING', mp, `queue ${q} is mapped to no IOThread`));
}
