/**
 * libvirt's storage pool capabilities XML (virConnectGetStoragePoolCapabilities,
 * virsh pool-capabilities): every pool type libvirt knows, `supported='yes'`
 * for those virtkit starts (dir, fs, netfs, rbd), with the source formats its pool
 * XML accepts and the volume formats it creates in them. Pure.
 */
import { FS_POOL_FORMATS } from '../xml/storage/pool-schema.js';

/** libvirt's pool types, in its order (virStoragePoolType). */
const LIBVIRT_POOL_TYPES = ['dir', 'fs', 'netfs', 'logical', 'disk', 'iscsi', 'iscsi-direct', 'scsi', 'mpath', 'rbd', 'sheepdog', 'gluster', 'zfs', 'vstorage'] as const;

/** Volume formats virtkit creates in a file pool (qemu-img can write them); raw is the default. */
export const FILE_VOLUME_FORMATS = ['none', 'raw', 'dir', 'iso', 'vpc', 'vdi', 'qcow', 'qcow2', 'qed', 'vmdk', 'luks'] as const;

interface PoolCaps {
  readonly source?: { readonly default: string; readonly formats: readonly string[] };
  readonly volumes: { readonly default: string; readonly formats: readonly string[] };
}

/** The pool types virtkit starts; an rbd pool's volumes are raw images (made with `rbd create`). */
const SUPPORTED: Readonly<Record<string, PoolCaps>> = {
  dir: { volumes: { default: 'raw', formats: FILE_VOLUME_FORMATS } },
  fs: { source: { default: 'auto', formats: FS_POOL_FORMATS }, volumes: { default: 'raw', formats: FILE_VOLUME_FORMATS } },
  netfs: { source: { default: 'auto', formats: ['auto', 'nfs'] }, volumes: { default: 'raw', formats: FILE_VOLUME_FORMATS } },
  rbd: { volumes: { default: 'raw', formats: ['raw'] } },
};

function formatEnum(indent: string, tag: string, name: string, o: { default: string; formats: readonly string[] }): string[] {
  return [
    `${indent}<${tag}>`,
    `${indent}  <defaultFormat type='${o.default}'/>`,
    `${indent}  <enum name='${name}'>`,
    ...o.formats.map((f) => `${indent}    <value>${f}</value>`),
    `${indent}  </enum>`,
    `${indent}</${tag}>`,
  ];
}

export function poolCapabilitiesXml(): string {
  const lines = ['<storagepoolCapabilities>'];
  for (const type of LIBVIRT_POOL_TYPES) {
    const caps = SUPPORTED[type];
    if (caps === undefined) {
      lines.push(`  <pool type='${type}' supported='no'/>`);
      continue;
    }
    lines.push(`  <pool type='${type}' supported='yes'>`);
    if (caps.source) lines.push(...formatEnum('    ', 'poolOptions', 'sourceFormatType', caps.source));
    lines.push(...formatEnum('    ', 'volOptions', 'targetFormatType', caps.volumes));
    lines.push('  </pool>');
  }
  lines.push('</storagepoolCapabilities>');
  return `${lines.join('\n')}\n`;
}
