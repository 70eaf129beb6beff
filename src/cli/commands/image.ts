/**
 * virtkit's own: `virtkit image build` builds (or reuses) the tiny bootable disk image with the
 * project script scripts/build-tiny-image.sh (src/cli/tiny-image.ts; docs/test-guest.md, "The
 * tiny disk image") and puts it into a pool as a qcow2 volume, through the same import as
 * vol-import, then prints the volume's path. A volume of that name already in the pool is
 * reused as it is; --force builds the image afresh and imports it again, unless other volumes
 * of the pool are linked clones of it. The script runs on the CLI's machine and the daemon
 * imports the file from its own: the two must be the same machine.
 */
import type { VolumeInfo } from '../../client/types.js';
import { VirtkitError } from '../../core/errors.js';
import { CliError, command, usageError } from '../framework.js';
import { onStorage } from '../storage.js';
import { buildTinyImage } from '../tiny-image.js';

export default command({
  name: 'image',
  summary: 'build the tiny bootable disk image into a pool (image build)',
  args: [{ name: 'action', help: 'build: build (or reuse) the image and put it into the pool', required: true }],
  options: {
    pool: { type: 'string', help: 'the pool (default: default)', arg: 'string' },
    name: { type: 'string', help: "the volume's name (default: tiny.qcow2)", arg: 'string' },
    force: { type: 'boolean', help: 'build the image afresh and replace the volume' },
  },
  async run(ctx, { action }, o) {
    if (action !== 'build') throw usageError(`unknown image action '${action}': the only one is 'build'`);
    const pool = o.pool ?? 'default';
    const name = o.name ?? 'tiny.qcow2';
    const client = ctx.client();
    const existing = await onStorage({ pool }, `Failed to look up vol ${name}`, () => client.getVolume(pool, name).catch((e: unknown) => {
      if (e instanceof VirtkitError && e.code === 'VOLUME_NOT_FOUND') return undefined;
      throw e;
    }));
    const report = (volume: VolumeInfo, reused: boolean, image?: string) => {
      if (ctx.json) return ctx.printJson({ path: volume.path, reused, ...(image === undefined ? {} : { image }), volume });
      ctx.io.stderr(reused
        ? `Vol ${name} is in pool ${pool} already: reused (--force builds and imports it again)\n`
        : `Vol ${name} imported into pool ${pool} from ${image ?? ''}\n`);
      ctx.print(volume.path);
    };
    if (existing !== undefined && !o.force) return report(existing, true);
    if (existing !== undefined) {
      const clones = (await onStorage({ pool }, undefined, () => client.listVolumes(pool)))
        .filter((v) => v.backing?.path === existing.path).map((v) => v.name);
      if (clones.length > 0) {
        const message = `vol ${name} in pool ${pool} is the backing file of ${clones.join(', ')}: replacing it would corrupt them; delete them first, or give --name`;
        throw new CliError([`Failed to replace vol ${name}`, message], new VirtkitError('OPERATION_INVALID', message, { details: { clones } }));
      }
    }

    const image = await buildTinyImage(ctx.io, { force: o.force });
    if (existing !== undefined) await onStorage({ pool, vol: name }, `Failed to delete vol ${name}`, () => client.deleteVolume(pool, name));
    let drawn = false;
    const onProgress = ctx.json || ctx.io.tty !== true ? undefined : (percent: number) => {
      drawn = true;
      ctx.io.stderr(`\rImport: [${String(percent).padStart(3)} %]`);
    };
    const volume = await onStorage({ pool }, `Failed to import ${image}`, () => client.importVolume(pool, { file: image, format: 'qcow2', name },
      onProgress === undefined ? {} : { onProgress })).finally(() => {
      if (drawn) ctx.io.stderr('\n');
    });
    report(volume, false, image);
  },
});
