import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { readXmlFile } from './define.js';

export default command({
  name: 'snapshot-create',
  summary: 'Create a snapshot from XML',
  args: [DOMAIN_ARG],
  options: {
    xmlfile: { type: 'string', help: 'domain snapshot XML', arg: 'string' },
    redefine: { type: 'boolean', help: 'redefine metadata for existing snapshot' },
    current: { type: 'boolean', help: 'with redefine, set current snapshot' },
    'no-metadata': { type: 'boolean', help: 'take snapshot but create no metadata' },
    'disk-only': { type: 'boolean', help: 'capture disk state but not vm state' },
    quiesce: { type: 'boolean', help: 'quiesce guest\'s file systems' },
  },
  async run(ctx, { domain }, o) {
    const xml = o.xmlfile === undefined ? undefined : await readXmlFile(ctx.io.cwd, o.xmlfile);
    const s = await onDomain(domain, undefined, () => ctx.client().createSnapshot(domain, {
      ...(xml === undefined ? {} : { xml }), diskOnly: o['disk-only'], quiesce: o.quiesce, noMetadata: o['no-metadata'], redefine: o.redefine, current: o.current,
    }));
    if (ctx.json) return ctx.printJson(s);
    ctx.bare();
    if (s === null) return ctx.print('Domain snapshot created (no metadata kept)');
    ctx.print(o.xmlfile !== undefined && o.redefine ? `Domain snapshot ${s.name} created from '${o.xmlfile}'` : `Domain snapshot ${s.name} created`);
  },
});
