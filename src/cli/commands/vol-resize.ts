import { VirtkitError } from '../../core/errors.js';
import { command } from '../framework.js';
import { lookupVolume, onStorage, parseSize, POOL_OPT, VOL_ARG } from '../storage.js';

export default command({
  name: 'vol-resize',
  summary: 'resize a vol',
  args: [VOL_ARG, { name: 'capacity', help: 'new capacity for the vol, as scaled integer (default bytes)', required: true }],
  options: {
    pool: POOL_OPT,
    allocate: { type: 'boolean', help: 'allocate the new capacity, rather than leaving it sparse' },
    delta: { type: 'boolean', help: 'use capacity as a delta to current size, rather than the new size' },
    shrink: { type: 'boolean', help: 'allow the resize to shrink the volume' },
  },
  async run(ctx, { vol, capacity }, o) {
    // virsh takes "-SIZE" with --delta --shrink as the amount to take off.
    const minus = capacity.startsWith('-');
    const bytes = parseSize(minus ? capacity.slice(1) : capacity, 'capacity');
    const client = ctx.client();
    const v = await onStorage({ pool: o.pool, vol }, `Failed to change size of volume '${vol}' to ${capacity}`, async () => {
      const found = await lookupVolume(client, vol, o.pool);
      let size = bytes;
      let delta = o.delta;
      if (minus) {
        if (!o.delta || !o.shrink) throw new VirtkitError('INVALID_ARGUMENT', 'a negative capacity needs --delta and --shrink');
        size = Math.max(0, found.capacity - bytes);
        delta = false;
      }
      return client.resizeVolume(found.pool, found.name, size, { allocate: o.allocate, delta, shrink: o.shrink });
    });
    if (ctx.json) return ctx.printJson(v);
    ctx.print(`Size of volume '${v.name}' successfully changed to ${capacity}`);
  },
});
