import { command } from '../framework.js';
import { escapeXml, lookupVolume, onStorage, parseSize, POOL_ARG } from '../storage.js';

export default command({
  name: 'vol-create-as',
  summary: 'create a volume from a set of args',
  args: [
    POOL_ARG,
    { name: 'name', help: 'name of the volume', required: true },
    { name: 'capacity', help: 'size of the vol, as scaled integer (default bytes)', required: true },
  ],
  options: {
    allocation: { type: 'string', help: 'initial allocation size, as scaled integer (default bytes)', arg: 'string' },
    format: { type: 'string', help: 'file format type raw,bochs,qcow,qcow2,qed,vmdk', arg: 'string' },
    'backing-vol': { type: 'string', help: 'the backing volume if taking a snapshot', arg: 'string' },
    'backing-vol-format': { type: 'string', help: 'format of backing volume if taking a snapshot', arg: 'string' },
    'prealloc-metadata': { type: 'boolean', help: 'preallocate metadata (for qcow2 instead of full allocation)' },
    'print-xml': { type: 'boolean', help: 'print XML document, but don\'t define/create' },
  },
  async run(ctx, { pool, name, capacity }, o) {
    const q = escapeXml;
    const lines = ['<volume>', `  <name>${q(name)}</name>`, `  <capacity>${parseSize(capacity, 'capacity')}</capacity>`];
    if (o.allocation !== undefined) lines.push(`  <allocation>${parseSize(o.allocation, 'allocation')}</allocation>`);
    if (o.format !== undefined) lines.push('  <target>', `    <format type='${q(o.format)}'/>`, '  </target>');
    const backing = o['backing-vol'];
    if (backing !== undefined) {
      const b = await onStorage({ pool, vol: backing }, undefined, () => lookupVolume(ctx.client(), backing, pool));
      lines.push('  <backingStore>', `    <path>${q(b.path)}</path>`);
      if (o['backing-vol-format'] !== undefined) lines.push(`    <format type='${q(o['backing-vol-format'])}'/>`);
      lines.push('  </backingStore>');
    }
    lines.push('</volume>');
    const xml = `${lines.join('\n')}\n`;
    if (o['print-xml']) return ctx.print(xml.trimEnd());
    const v = await onStorage({ pool }, `Failed to create vol ${name}`,
      () => ctx.client().createVolume(pool, xml, { preallocMetadata: o['prealloc-metadata'] }));
    if (ctx.json) return ctx.printJson(v);
    ctx.print(`Vol ${v.name} created`);
  },
});
