import { isAbsolute, resolve } from 'node:path';
import { command } from '../framework.js';
import { progressBar } from '../progress.js';
import { lookupVolume, onStorage, parseSize, POOL_OPT, VOL_ARG } from '../storage.js';

export default command({
  name: 'vol-upload',
  summary: 'upload file contents to a volume',
  args: [VOL_ARG, { name: 'file', help: 'file', required: true }],
  options: {
    pool: POOL_OPT,
    offset: { type: 'string', help: 'volume offset to upload to', arg: 'number' },
    length: { type: 'string', help: 'amount of data to upload', arg: 'number' },
    sparse: { type: 'boolean', help: 'preserve sparseness of volume' },
  },
  async run(ctx, { vol, file }, o) {
    const offset = o.offset === undefined ? 0 : parseSize(o.offset, 'offset');
    const length = o.length === undefined ? 0 : parseSize(o.length, 'length');
    const path = isAbsolute(file) ? file : resolve(ctx.io.cwd, file);
    const client = ctx.client();
    const bar = progressBar(ctx, `Uploading ${vol}`);
    const v = await onStorage({ pool: o.pool, vol }, `cannot upload to volume ${vol}`, async () => {
      const found = await lookupVolume(client, vol, o.pool);
      try {
        return await client.uploadVolume(found.pool, found.name, path, { offset, length, ...(o.sparse ? { sparse: true } : {}), ...(bar ? { onProgress: bar.update } : {}) });
      } finally {
        bar?.end();
      }
    });
    if (ctx.json) ctx.printJson(v);
  },
});
