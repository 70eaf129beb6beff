/**
 * libvirt's node device XML for a PCI device and for a network interface on one
 * (virNodeDeviceDefFormat in src/conf/node_device_conf.c, schema docs/formatnode.rst), in
 * libvirt's element order: name, path, parent, driver, capability. A PCI capability carries
 * class, domain, bus, slot, function, product, vendor, then phys_function (an SR-IOV VF) or
 * virt_functions (a PF), iommuGroup and numa. Product and vendor names come from no pci.ids
 * database here, so they are empty elements (libvirt writes them so when the database lacks
 * the id). The <pci-express> link element (from config space) is not written. Pure.
 */
import { escapeXmlText } from '../xml/tree.js';
import { netNodedevName, nodedevName, parseSysfsAddress } from './pci-address.js';
import type { PciDeviceInfo, PciNetInterface } from './types.js';

const hex = (v: number, width: number): string => `0x${v.toString(16).padStart(width, '0')}`;

function addressElem(sysfs: string, indent: string): string {
  const a = parseSysfsAddress(sysfs);
  if (a === undefined) return `${indent}<!-- ${escapeXmlText(sysfs)} -->\n`;
  return `${indent}<address domain='${hex(a.domain, 4)}' bus='${hex(a.bus, 2)}' slot='${hex(a.slot, 2)}' function='${hex(a.function, 1)}'/>\n`;
}

export function pciNodedevXml(d: PciDeviceInfo): string {
  const a = parseSysfsAddress(d.address);
  let x = '<device>\n';
  x += `  <name>${nodedevName(d.address)}</name>\n`;
  x += `  <path>${escapeXmlText(d.path)}</path>\n`;
  x += `  <parent>${d.parent === null ? 'computer' : nodedevName(d.parent)}</parent>\n`;
  if (d.driver !== null) x += `  <driver>\n    <name>${escapeXmlText(d.driver)}</name>\n  </driver>\n`;
  x += "  <capability type='pci'>\n";
  x += `    <class>${hex(d.class, 6)}</class>\n`;
  x += `    <domain>${a?.domain ?? 0}</domain>\n    <bus>${a?.bus ?? 0}</bus>\n    <slot>${a?.slot ?? 0}</slot>\n    <function>${a?.function ?? 0}</function>\n`;
  x += `    <product id='${hex(d.device, 4)}'/>\n`;
  x += `    <vendor id='${hex(d.vendor, 4)}'/>\n`;
  if (d.physfn !== null) x += `    <capability type='phys_function'>\n${addressElem(d.physfn, '      ')}    </capability>\n`;
  if (d.totalVfs !== null && d.totalVfs > 0) {
    x += `    <capability type='virt_functions' maxCount='${d.totalVfs}'`;
    x += d.virtfns.length === 0 ? '/>\n' : `>\n${d.virtfns.map((v) => addressElem(v, '      ')).join('')}    </capability>\n`;
  }
  if (d.iommuGroup !== null) {
    x += `    <iommuGroup number='${d.iommuGroup}'>\n${d.iommuGroupMembers.map((m) => addressElem(m, '      ')).join('')}    </iommuGroup>\n`;
  }
  if (d.numaNode !== null) x += `    <numa node='${d.numaNode}'/>\n`;
  x += '  </capability>\n</device>\n';
  return x;
}

export function netNodedevXml(owner: PciDeviceInfo, n: PciNetInterface): string {
  let x = '<device>\n';
  x += `  <name>${escapeXmlText(netNodedevName(n.name, n.mac))}</name>\n`;
  x += `  <path>${escapeXmlText(`${owner.path}/net/${n.name}`)}</path>\n`;
  x += `  <parent>${nodedevName(owner.address)}</parent>\n`;
  x += "  <capability type='net'>\n";
  x += `    <interface>${escapeXmlText(n.name)}</interface>\n`;
  if (n.mac !== null) x += `    <address>${escapeXmlText(n.mac)}</address>\n`;
  x += '  </capability>\n</device>\n';
  return x;
}
