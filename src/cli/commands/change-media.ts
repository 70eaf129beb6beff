import { command, usageError } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { DISK_IMPACT_OPTIONS, diskImpactOf } from '../disks.js';

const DONE = { eject: 'ejected', insert: 'inserted', update: 'updated' } as const;

export default command({
  name: 'change-media',
  summary: 'Change media of CD or floppy drive',
  args: [DOMAIN_ARG, { name: 'path', help: 'Fully-qualified path or target of disk device', required: true }],
  options: {
    source: { type: 'string', help: 'source of the media', arg: 'string' },
    eject: { type: 'boolean', help: 'Eject the media' },
    insert: { type: 'boolean', help: 'Insert the media' },
    update: { type: 'boolean', help: 'Update the media' },
    ...DISK_IMPACT_OPTIONS,
    force: { type: 'boolean', help: 'force media changing' },
    block: { type: 'boolean', help: 'source media is a block device' },
  },
  async run(ctx, { domain, path }, o) {
    const chosen = (['eject', 'insert', 'update'] as const).filter((m) => o[m]);
    if (chosen.length > 1) throw usageError(`Options --${chosen[0] ?? ''} and --${chosen[1] ?? ''} are mutually exclusive`);
    // virsh: without a mode, a source means update and no source means eject.
    const mode = chosen[0] ?? (o.source === undefined ? 'eject' : 'update');
    if (mode === 'eject' && o.source !== undefined) throw usageError("--source can't be used with --eject");
    if (mode !== 'eject' && o.source === undefined) throw usageError(`No source is specified for ${mode === 'insert' ? 'inserting' : 'updating'} media`);
    const impact = diskImpactOf(o);
    const req = { mode, ...(o.source === undefined ? {} : { source: o.source }), ...(o.block ? { block: true } : {}), ...(o.force ? { force: true } : {}) };
    const d = await onDomain(domain, `Failed to complete action ${mode} on media`, () => ctx.client().changeMedia(domain, path, req, impact));
    if (ctx.json) return ctx.printJson(d);
    ctx.print(`Successfully ${DONE[mode]} media.`);
  },
});
