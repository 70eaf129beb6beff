/**
 * attach-device / attach-disk, detach-device / detach-disk and blockresize, with virsh's
 * --live / --config / --persistent / --current (virDomainModificationImpact): a live change
 * goes through the driver's LiveDisks and is recorded in the live definition and the status
 * file; a config change rewrites the persistent definition. With both, the new persistent
 * definition is prepared and checked first, so a definition that cannot hold the disk fails
 * before the guest is touched (as libvirt's qemuDomainAttachDeviceLiveAndConfig).
 */
import { VirtkitError } from '../../core/errors.js';
import type { DiskDef } from '../../core/xml/domain/index.js';
import type { DomainDef } from '../domain-xml.js';
import type { BlockInfo, LiveDisks } from '../driver.js';
import { isActive } from '../state.js';
import type { ActionOf, DispatchOptions, DomainInfo } from './actions.js';
import type { EngineContext } from './context.js';
import { afterLive, impact } from './domain-config.js';
import type { DomainRecord } from './registry.js';
import { diskKeysOf } from './disk-key-values.js';
import { resolveVolumeDisk } from './volume-disks.js';

/** --persistent: the definition, and the guest too when it runs. */
export interface DiskImpact {
  readonly live?: boolean;
  readonly config?: boolean;
  readonly persistent?: boolean;
}

export function scope(rec: DomainRecord, f: DiskImpact): { live: boolean; config: boolean } {
  if (f.persistent === true) return impact(rec, { live: isActive(rec.state.state), config: true });
  return impact(rec, f);
}

function liveDisks(ctx: EngineContext, rec: DomainRecord): LiveDisks {
  const disks = ctx.requireHandle(rec).disks;
  if (disks === undefined) throw new VirtkitError('UNSUPPORTED_OPERATION', `the hypervisor driver cannot change the disks of running domain '${rec.name}'`);
  return disks;
}

/** The persistent definition with `change` applied, prepared and formatted but not saved. */
export async function nextConfig(ctx: EngineContext, rec: DomainRecord, change: (def: DomainDef) => void) {
  const x = await ctx.xml();
  const def = structuredClone(await ctx.defOf(rec));
  change(def);
  const checked = x.prepareDomain(def, ctx.deps.prepare);
  return { def: checked, xml: x.formatDomain(checked), summary: x.summarizeDomain(checked) };
}

export async function saveConfig(ctx: EngineContext, rec: DomainRecord, next: Awaited<ReturnType<typeof nextConfig>>): Promise<void> {
  await ctx.deps.config.save(rec.name, next.xml);
  rec.xml = next.xml;
  rec.def = next.def;
  rec.summary = next.summary;
  ctx.definitionsChanged();
}

const findIn = (def: DomainDef, ref: string): DiskDef | undefined => {
  const disks = def.devices?.disk ?? [];
  return disks.find((d) => d.target?.dev === ref) ?? disks.find((d) => d.source?.file === ref || d.source?.dev === ref);
};

function noDisk(rec: DomainRecord, ref: string, where: string): VirtkitError {
  return new VirtkitError('NOT_FOUND', `domain '${rec.name}' has no disk whose target or source is '${ref}' in its ${where}`, {
    details: { domain: rec.name, disk: ref },
  });
}

export function onDomainJob(ctx: EngineContext, ref: string, job: string, opts: DispatchOptions, fn: (rec: DomainRecord) => Promise<void>): Promise<DomainInfo> {
  const name = ctx.registry.resolve(ref).name;
  return ctx.job(name, job, opts, async () => {
    const rec = ctx.registry.named(name);
    await fn(rec);
    return ctx.view(rec);
  });
}

export const attachDevice = (ctx: EngineContext, a: ActionOf<'attachDevice'>, opts: DispatchOptions): Promise<DomainInfo> =>
  onDomainJob(ctx, a.name, 'attach-device', opts, async (rec) => {
    const { parseDiskXml } = await import('../../core/xml/domain/device-xml.js');
    const disk = parseDiskXml(a.xml);
    const dev = disk.target?.dev ?? '';
    const to = scope(rec, a);
    let config;
    if (to.config) {
      if (findIn(await ctx.defOf(rec), dev)?.target?.dev === dev) {
        throw new VirtkitError('XML_DUPLICATE', `the definition of domain '${rec.name}' already has a disk with target '${dev}'`, { details: { target: dev } });
      }
      config = await nextConfig(ctx, rec, (def) => { (def.devices ??= {}).disk = [...(def.devices.disk ?? []), disk]; });
    }
    if (to.live) {
      const resolved = await resolveVolumeDisk(ctx.storage, disk);
      await liveDisks(ctx, rec).attach(resolved, diskKeysOf(ctx, resolved));
      await afterLive(ctx, rec);
    }
    if (config) await saveConfig(ctx, rec, config);
  });

/** detach-disk names the disk by target or source; detach-device by its XML (its target). */
async function detach(ctx: EngineContext, rec: DomainRecord, ref: string, f: DiskImpact): Promise<void> {
  const to = scope(rec, f);
  let config;
  if (to.config) {
    const persistent = await ctx.defOf(rec);
    const disk = findIn(persistent, ref);
    if (disk === undefined) throw noDisk(rec, ref, 'persistent definition');
    config = await nextConfig(ctx, rec, (def) => {
      if (def.devices) def.devices.disk = (def.devices.disk ?? []).filter((d) => d.target?.dev !== disk.target?.dev);
    });
  }
  if (to.live) {
    const live = rec.runtime?.liveDef;
    if (live !== undefined && findIn(live, ref) === undefined) throw noDisk(rec, ref, 'live definition');
    await liveDisks(ctx, rec).detach(ref, () => {
      // The guest let go after the request timed out: record it as any live change.
      afterLive(ctx, rec).catch((e: unknown) => ctx.log.error(`cannot record the late removal of disk '${ref}' of domain '${rec.name}': ${(e as Error).message}`));
    });
    await afterLive(ctx, rec);
  }
  if (config) await saveConfig(ctx, rec, config);
}

export const detachDisk = (ctx: EngineContext, a: ActionOf<'detachDisk'>, opts: DispatchOptions): Promise<DomainInfo> =>
  onDomainJob(ctx, a.name, 'detach-disk', opts, (rec) => detach(ctx, rec, a.disk, a));

export const detachDevice = (ctx: EngineContext, a: ActionOf<'detachDevice'>, opts: DispatchOptions): Promise<DomainInfo> =>
  onDomainJob(ctx, a.name, 'detach-device', opts, async (rec) => {
    const { parseDiskXml } = await import('../../core/xml/domain/device-xml.js');
    await detach(ctx, rec, parseDiskXml(a.xml).target?.dev ?? '', a);
  });

/** virsh blockresize: the running guest's disk image grows (or shrinks) to `bytes`; the guest sees the new size. */
export const blockResize = (ctx: EngineContext, a: ActionOf<'blockResize'>, opts: DispatchOptions): Promise<DomainInfo> =>
  onDomainJob(ctx, a.name, 'blockresize', opts, async (rec) => {
    await liveDisks(ctx, rec).resize(a.disk, a.bytes);
  });

/**
 * virsh change-media: eject the medium of a CD-ROM or floppy drive, insert one into an empty
 * drive, or replace it (update); live through the driver, --config in the definition.
 */
export const changeMedia = (ctx: EngineContext, a: ActionOf<'changeMedia'>, opts: DispatchOptions): Promise<DomainInfo> =>
  onDomainJob(ctx, a.name, 'change-media', opts, async (rec) => {
    const medium = a.mode === 'eject' ? undefined : a.source;
    if (a.mode !== 'eject' && medium === undefined) throw new VirtkitError('INVALID_ARGUMENT', `change-media --${a.mode} needs a source`);
    const to = scope(rec, a);
    const check = (def: DomainDef, where: string): DiskDef => {
      const d = findIn(def, a.disk);
      if (d === undefined) throw noDisk(rec, a.disk, where);
      if (a.mode === 'insert' && d.source !== undefined) {
        throw new VirtkitError('OPERATION_INVALID', `drive '${d.target?.dev ?? a.disk}' of domain '${rec.name}' already has a medium: use --update or --eject first`);
      }
      return d;
    };
    let config;
    if (to.config) {
      const dev = check(await ctx.defOf(rec), 'persistent definition').target?.dev;
      config = await nextConfig(ctx, rec, (def) => {
        const d = (def.devices?.disk ?? []).find((x) => x.target?.dev === dev);
        if (d === undefined) return;
        if (medium === undefined) delete d.source;
        else {
          d.type = a.block === true ? 'block' : 'file';
          d.source = a.block === true ? { dev: medium } : { file: medium };
        }
      });
    }
    if (to.live) {
      const live = rec.runtime?.liveDef;
      if (live !== undefined) check(live, 'live definition');
      await liveDisks(ctx, rec).changeMedia(a.disk, medium === undefined ? undefined : { source: medium, type: a.block === true ? 'block' : 'file' }, a.force ?? false);
      await afterLive(ctx, rec);
    }
    if (config) await saveConfig(ctx, rec, config);
  });

/** virsh domblkinfo of a running domain's disk: sizes as QEMU has the image open. */
export async function blockInfo(ctx: EngineContext, a: ActionOf<'blockInfo'>): Promise<BlockInfo> {
  return liveDisks(ctx, ctx.registry.resolve(a.name)).info(a.disk);
}
