/**
 * virtkit's own: converts an image file (raw, qcow2, vmdk, vdi, vpc, vhdx) into
 * a pool as a qcow2 (or --target-format raw) volume with qemu-img convert, the
 * daemon reporting qemu-img's progress over a WebSocket and this command
 * drawing it on stderr as virsh draws job progress ("Import: [ 42 %]").
 * The source format is never probed: --format, else the file's extension
 * (.qcow2 .raw .vmdk .vdi .vhd .vhdx); an .img or unknown extension needs --format.
 */
import { basename, extname, resolve } from 'node:path';
import { command, usageError } from '../framework.js';
import { onStorage, POOL_ARG } from '../storage.js';

const BY_EXTENSION: Readonly<Record<string, string>> = { '.qcow2': 'qcow2', '.raw': 'raw', '.vmdk': 'vmdk', '.vdi': 'vdi', '.vhd': 'vpc', '.vhdx': 'vhdx' };

export default command({
  name: 'vol-import',
  summary: 'convert an image file (raw, qcow2, vmdk, vdi...) into a pool volume',
  args: [POOL_ARG, { name: 'file', help: 'the image file (on the daemon host)', required: true }],
  options: {
    format: { type: 'string', help: "the file's format: raw, qcow2, vmdk, vdi, vpc, vhdx (default: from its extension)", arg: 'string' },
    name: { type: 'string', help: "the new volume's name (default: the file's name, extension .qcow2)", arg: 'string' },
    'target-format': { type: 'string', help: "the new volume's format: qcow2 (default) or raw", arg: 'string' },
  },
  async run(ctx, { pool, file }, o) {
    const path = resolve(ctx.io.cwd, file);
    const format = o.format ?? BY_EXTENSION[extname(path).toLowerCase()];
    if (format === undefined) throw usageError(`cannot tell the format of '${basename(path)}' from its extension: give --format (raw, qcow2, vmdk, vdi, vpc, vhdx)`);
    const target = o['target-format'];
    if (target !== undefined && target !== 'qcow2' && target !== 'raw') throw usageError(`--target-format must be qcow2 or raw, not '${target}'`);
    let drawn = false;
    const onProgress = ctx.json ? undefined : (percent: number) => {
      drawn = true;
      ctx.io.stderr(`\rImport: [${String(percent).padStart(3)} %]`);
    };
    const v = await onStorage({ pool }, `Failed to import ${file}`, () => ctx.client().importVolume(pool, {
      file: path, format, ...(o.name === undefined ? {} : { name: o.name }), ...(target === undefined ? {} : { targetFormat: target }),
    }, onProgress === undefined ? {} : { onProgress })).finally(() => {
      if (drawn) ctx.io.stderr('\n');
    });
    if (ctx.json) return ctx.printJson(v);
    ctx.print(`Vol ${v.name} imported from ${file}`);
  },
});
