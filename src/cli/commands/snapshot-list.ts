import type { SnapshotInfo } from '../../client/types.js';
import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { table } from '../format.js';
import { snapshotTime, snapshotTree } from '../snapshots.js';

export default command({
  name: 'snapshot-list',
  summary: 'List snapshots for a domain',
  args: [DOMAIN_ARG],
  options: {
    parent: { type: 'boolean', help: 'add a column showing parent snapshot' },
    roots: { type: 'boolean', help: 'list only snapshots without parents' },
    leaves: { type: 'boolean', help: 'list only snapshots without children' },
    'no-leaves': { type: 'boolean', help: 'list only snapshots that are not leaves (with children)' },
    internal: { type: 'boolean', help: 'filter by internal snapshots' },
    external: { type: 'boolean', help: 'filter by external snapshots' },
    'disk-only': { type: 'boolean', help: 'filter by disk-only snapshots' },
    tree: { type: 'boolean', help: 'list snapshots in a tree' },
    current: { type: 'boolean', help: 'limit list to children of current snapshot' },
    name: { type: 'boolean', help: 'list snapshot names only' },
  },
  async run(ctx, { domain }, o) {
    // virsh sorts by name, ignoring case (virshSnapSorter).
    let snaps: SnapshotInfo[] = (await onDomain(domain, undefined, () => ctx.client().listSnapshots(domain)))
      .sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
    if (o.roots) snaps = snaps.filter((s) => s.parent === null);
    if (o.leaves) snaps = snaps.filter((s) => s.children === 0);
    if (o['no-leaves']) snaps = snaps.filter((s) => s.children > 0);
    if (o.internal) snaps = snaps.filter((s) => s.location === 'internal');
    if (o.external) snaps = snaps.filter((s) => s.location === 'external');
    if (o['disk-only']) snaps = snaps.filter((s) => s.state === 'disk-snapshot');
    if (o.current) {
      const cur = snaps.find((s) => s.current);
      snaps = cur === undefined ? [] : snaps.filter((s) => s.parent === cur.name);
    }
    if (ctx.json) return ctx.printJson(snaps);
    // With nothing to show, virsh prints only its closing blank line.
    if ((o.tree || o.name) && snaps.length === 0) return;
    if (o.tree) return ctx.print(snapshotTree(snaps));
    if (o.name) return ctx.print(snaps.map((s) => s.name).join('\n'));
    const header = ['Name', 'Creation Time', 'State', ...(o.parent ? ['Parent'] : [])];
    ctx.print(table(header, snaps.map((s) => [s.name, snapshotTime(s.creationTime), s.state, ...(o.parent ? [s.parent ?? ''] : [])])));
  },
});
