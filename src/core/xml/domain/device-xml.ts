/**
 * A single <disk> element on its own, as attach-device and detach-device take it
 * (libvirt's virDomainDeviceDefParse): parsed with the domain's disk spec,
 * so a device file says exactly what the same element says inside <devices>.
 */
import { VirtkitError } from '../../errors.js';
import { parseWithSpec } from '../codec.js';
import { parseXmlTree } from '../tree.js';
import type { DiskDef } from './schema/disk.js';
import { diskSpec } from './schema/disk.js';

export function parseDiskXml(xml: string): DiskDef {
  const root = parseXmlTree(xml);
  if (root.name !== 'disk') {
    throw new VirtkitError('XML_UNSUPPORTED', `<${root.name}>: only <disk> and <interface> devices can be attached or detached so far`, { details: { path: root.path } });
  }
  const disk = parseWithSpec(diskSpec, root) as DiskDef;
  if (disk.target === undefined) throw new VirtkitError('XML_MISSING', `${root.path}/target: a disk needs <target dev=...>`, { details: { path: `${root.path}/target` } });
  return disk;
}

