import { CliError, command } from '../framework.js';
import { lookupVolume, onStorage, POOL_ARG, REFLINK_OPT, refuseReflink, VALIDATE_OPT, VOL_ARG } from '../storage.js';
import { readXmlFile } from './define.js';
import { percentBar } from '../progress.js';

export default command({
  name: 'vol-create-from',
  summary: 'create a vol, using another volume as input',
  args: [POOL_ARG, { name: 'file', help: 'file containing an XML vol description', required: true }, VOL_ARG],
  options: {
    inputpool: { type: 'string', help: "pool name or uuid of the input volume's pool", arg: 'string' },
    'prealloc-metadata': { type: 'boolean', help: 'preallocate metadata (for qcow2 instead of full allocation)' },
    reflink: REFLINK_OPT,
    validate: VALIDATE_OPT,
  },
  async run(ctx, { pool, file, vol }, o) {
    const xml = await readXmlFile(ctx.io.cwd, file);
    refuseReflink(o.reflink);
    const client = ctx.client();
    const input = await onStorage({ pool: o.inputpool, vol }, undefined, () => lookupVolume(client, vol, o.inputpool)).catch((e: unknown) => {
      // virsh's hint when the volume was looked up without its pool.
      if (o.inputpool !== undefined || !(e instanceof CliError) || e.error?.code !== 'VOLUME_NOT_FOUND') throw e;
      throw new CliError([`failed to get vol '${vol}', specifying --inputpool might help`, ...e.lines.slice(1)], e.error);
    });
    // The copy's progress on a terminal (none for --json or a pipe).
    const bar = percentBar(ctx, 'Copy');
    const v = await onStorage({ pool }, `Failed to create vol from ${file}`,
      () => client.createVolumeFrom(pool, xml, { pool: input.pool, volume: input.name }, {
        preallocMetadata: o['prealloc-metadata'], ...(bar === undefined ? {} : { onProgress: (p: number) => bar.update(p) }),
      })).finally(() => bar?.end());
    if (ctx.json) return ctx.printJson(v);
    ctx.print(`Vol ${v.name} created from input vol ${input.name}`);
  },
});
