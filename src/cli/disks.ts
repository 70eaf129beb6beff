/**
 * What the disk commands share (attach-disk, detach-disk, attach-device, detach-device,
 * change-media): virsh's --persistent/--config/--live/--current and attach-disk's XML.
 */
import type { DiskImpactOptions } from '../client/types.js';
import { usageError } from './framework.js';
import { escapeXml } from './storage.js';

export const DISK_IMPACT_OPTIONS = {
  persistent: { type: 'boolean', help: 'make live change persistent' },
  config: { type: 'boolean', help: 'affect next boot' },
  live: { type: 'boolean', help: 'affect running domain' },
  current: { type: 'boolean', help: 'affect current domain' },
} as const;

/** virsh: --current excludes --live, --config and --persistent. */
export function diskImpactOf(o: { persistent?: boolean; config: boolean; live: boolean; current: boolean }): DiskImpactOptions {
  const other = o.config ? 'config' : o.live ? 'live' : o.persistent === true ? 'persistent' : undefined;
  if (o.current && other !== undefined) throw usageError(`Options --current and --${other} are mutually exclusive`);
  return { ...(o.config ? { config: true } : {}), ...(o.live ? { live: true } : {}), ...(o.persistent === true ? { persistent: true } : {}) };
}

export interface AttachDiskSpec {
  readonly source: string;
  readonly target: string;
  readonly targetbus?: string | undefined;
  readonly driver?: string | undefined;
  readonly subdriver?: string | undefined;
  readonly cache?: string | undefined;
  readonly io?: string | undefined;
  /** The device: disk, cdrom, floppy, lun. */
  readonly type?: string | undefined;
  /** readonly or shareable. */
  readonly mode?: string | undefined;
  readonly sourcetype?: string | undefined;
  readonly serial?: string | undefined;
}

/** The <disk> virsh attach-disk makes of its options (virsh's cmdAttachDisk; compare `--print-xml`). */
export function attachDiskXml(s: AttachDiskSpec): string {
  const q = escapeXml;
  if (s.mode !== undefined && s.mode !== 'readonly' && s.mode !== 'shareable') throw usageError(`No support for ${s.mode} in command 'attach-disk'`);
  const sourcetype = s.sourcetype ?? 'file';
  if (sourcetype !== 'file' && sourcetype !== 'block') throw usageError(`Unknown source type: '${sourcetype}'`);
  const lines = [`<disk type='${sourcetype}'${s.type === undefined ? '' : ` device='${q(s.type)}'`}>`];
  const drv = [
    ...(s.driver !== undefined ? [`name='${q(s.driver)}'`] : []), ...(s.subdriver !== undefined ? [`type='${q(s.subdriver)}'`] : []),
    ...(s.cache !== undefined ? [`cache='${q(s.cache)}'`] : []), ...(s.io !== undefined ? [`io='${q(s.io)}'`] : []),
  ];
  // virsh writes <driver> only when a driver name or format is given; cache and io ride on it.
  if (drv.length > 0) lines.push(`  <driver ${drv.join(' ')}/>`);
  lines.push(`  <source ${sourcetype === 'block' ? 'dev' : 'file'}='${q(s.source)}'/>`);
  lines.push(`  <target dev='${q(s.target)}'${s.targetbus === undefined ? '' : ` bus='${q(s.targetbus)}'`}/>`);
  if (s.mode !== undefined) lines.push(`  <${s.mode}/>`);
  if (s.serial !== undefined) lines.push(`  <serial>${q(s.serial)}</serial>`);
  lines.push('</disk>');
  return `${lines.join('\n')}\n`;
}
