import { command } from '../framework.js';
import { percentBar } from '../progress.js';
import { escapeXml, lookupVolume, onStorage, POOL_OPT, REFLINK_OPT, refuseReflink, VOL_ARG } from '../storage.js';

export default command({
  name: 'vol-clone',
  summary: 'clone a volume.',
  args: [VOL_ARG, { name: 'newname', help: 'clone name', required: true }],
  options: {
    pool: POOL_OPT,
    'prealloc-metadata': { type: 'boolean', help: 'preallocate metadata (for qcow2 instead of full allocation)' },
    reflink: REFLINK_OPT,
    linked: { type: 'boolean', help: "a qcow2 overlay backed by the volume (its format recorded) instead of a full copy (virtkit's)" },
    'print-xml': { type: 'boolean', help: 'print XML document rather than clone the volume' },
  },
  async run(ctx, { vol, newname }, o) {
    refuseReflink(o.reflink);
    const client = ctx.client();
    const src = await onStorage({ pool: o.pool, vol }, undefined, () => lookupVolume(client, vol, o.pool));
    if (o['print-xml']) {
      // virsh (vshMakeCloneXML) prints the source's XML with only the name changed.
      const xml = await onStorage({ pool: src.pool, vol }, undefined, () => client.volumeXml(src.pool, src.name));
      return ctx.print(xml.replace(/<name>[^<]*<\/name>/, `<name>${escapeXml(newname)}</name>`).trimEnd());
    }
    // A full copy's progress on a terminal (none for --json, a pipe, or a linked clone: nothing is copied).
    const bar = o.linked === true ? undefined : percentBar(ctx, 'Clone');
    const v = await onStorage({ pool: src.pool }, `Failed to clone vol from ${src.name}`,
      () => client.cloneVolume(src.pool, src.name, newname, {
        linked: o.linked, preallocMetadata: o['prealloc-metadata'], ...(bar === undefined ? {} : { onProgress: (p: number) => bar.update(p) }),
      })).finally(() => bar?.end());
    if (ctx.json) return ctx.printJson(v);
    ctx.print(`Vol ${v.name} cloned from ${src.name}`);
  },
});
