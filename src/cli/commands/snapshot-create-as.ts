import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { snapshotXmlFromArgs } from '../snapshots.js';

export default command({
  name: 'snapshot-create-as',
  summary: 'Create a snapshot from a set of args',
  // As virsh: the name and description may also come positionally after the domain.
  args: [DOMAIN_ARG, { name: 'name', help: 'name of snapshot', required: false }, { name: 'description', help: 'description of snapshot', required: false }],
  options: {
    'print-xml': { type: 'boolean', help: 'print XML document rather than create' },
    'no-metadata': { type: 'boolean', help: 'take snapshot but create no metadata' },
    'disk-only': { type: 'boolean', help: 'capture disk state but not vm state' },
    quiesce: { type: 'boolean', help: 'quiesce guest\'s file systems' },
    diskspec: { type: 'string', help: 'disk attributes: disk[,snapshot=type][,driver=type][,stype=type][,file=name] (once per disk)', arg: 'string', multiple: true },
    memspec: { type: 'string', help: 'memory attributes: [file=]name[,snapshot=type] (external memory is not supported: refused)', arg: 'string' },
  },
  async run(ctx, { domain, name, description }, o) {
    const xml = snapshotXmlFromArgs({ name, description, diskspec: o.diskspec, memspec: o.memspec });
    if (o['print-xml']) return ctx.print(xml);
    const s = await onDomain(domain, undefined, () => ctx.client().createSnapshot(domain, { xml, diskOnly: o['disk-only'], quiesce: o.quiesce, noMetadata: o['no-metadata'] }));
    if (ctx.json) return ctx.printJson(s);
    ctx.bare();
    ctx.print(s === null ? 'Domain snapshot created (no metadata kept)' : `Domain snapshot ${s.name} created`);
  },
});
