/** vol-upload and vol-download: one command shape, two directions (virsh's flags, a progress bar on a TTY). */
import { isAbsolute, resolve } from 'node:path';
import { command, type Command } from './framework.js';
import { progressBar } from './progress.js';
import { lookupVolume, onStorage, parseSize, POOL_OPT, VOL_ARG } from './storage.js';

const WORDS = {
  upload: { summary: 'upload file contents to a volume', prep: 'to', bar: 'Uploading' },
  download: { summary: 'download volume contents to a file', prep: 'from', bar: 'Downloading' },
} as const;

export function transferCommand(direction: 'upload' | 'download'): Command {
  const w = WORDS[direction];
  return command({
    name: `vol-${direction}`,
    summary: w.summary,
    args: [VOL_ARG, { name: 'file', help: 'file', required: true }],
    options: {
      pool: POOL_OPT,
      offset: { type: 'string', help: `volume offset to ${direction} ${w.prep}`, arg: 'number' },
      length: { type: 'string', help: `amount of data to ${direction}`, arg: 'number' },
      sparse: { type: 'boolean', help: 'preserve sparseness of volume' },
      stream: { type: 'boolean', help: 'stream the bytes through the API, not the local fast path (docs/storage.md)' },
    },
    async run(ctx, { vol, file }, o) {
      const offset = o.offset === undefined ? 0 : parseSize(o.offset, 'offset');
      const length = o.length === undefined ? 0 : parseSize(o.length, 'length');
      const path = isAbsolute(file) ? file : resolve(ctx.io.cwd, file);
      const client = ctx.client();
      const bar = progressBar(ctx, `${w.bar} ${vol}`);
      const result = await onStorage({ pool: o.pool, vol }, `cannot ${direction} ${w.prep} volume ${vol}`, async () => {
        const found = await lookupVolume(client, vol, o.pool);
        const opts = { offset, length, ...(o.sparse ? { sparse: true } : {}), ...(o.stream ? { stream: true } : {}), ...(bar ? { onProgress: bar.update } : {}) };
        try {
          return direction === 'upload'
            ? await client.uploadVolume(found.pool, found.name, path, opts)
            : { volume: vol, file: path, offset, bytes: await client.downloadVolume(found.pool, found.name, path, opts) };
        } finally {
          bar?.end();
        }
      });
      if (ctx.json) ctx.printJson(result);
    },
  });
}
