/**
 * A single <interface> element on its own, as attach-device and detach-device take it
 * (libvirt's virDomainDeviceDefParse), parsed with the domain's interface spec; and the root
 * element name of a device document, so attach-device can tell a disk from an interface.
 */
import { parseWithSpec } from '../codec.js';
import { parseXmlTree } from '../tree.js';
import type { InterfaceDef } from './schema/interface.js';
import { interfaceSpec } from './schema/interface.js';
import { VirtkitError } from '../../errors.js';

/** The root element's name of a device XML document (disk, interface...). */
export function deviceXmlRoot(xml: string): string {
  return parseXmlTree(xml).name;
}

export function parseInterfaceXml(xml: string): InterfaceDef {
  const root = parseXmlTree(xml);
  if (root.name !== 'interface') {
    throw new VirtkitError('XML_UNSUPPORTED', `<${root.name}>: expected an <interface>`, { details: { path: root.path } });
  }
  return parseWithSpec(interfaceSpec, root) as InterfaceDef;
}
