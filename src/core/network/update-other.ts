/** net-update forward-interface and portgroup (libvirt's virNetworkDefUpdateForwardInterface/Portgroup). */
import { parseNetworkElement } from '../xml/network/parse.js';
import type { ForwardInterface, PortgroupDef } from '../xml/network/schema.js';
import { forwardInterfaceSpec, portgroupSpec } from '../xml/network/schema.js';
import type { DnsmasqAction, SectionUpdate } from './update-common.js';
import { insert, updateError } from './update-common.js';

export function updateForwardInterface(s: SectionUpdate): DnsmasqAction {
  const section = 'forward-interface';
  if (s.command === 'modify') throw updateError('UNSUPPORTED_OPERATION', s.def, section, 'a forward interface cannot be modified, only added or deleted');
  const iface = parseNetworkElement<ForwardInterface>(forwardInterfaceSpec, s.xml, 'interface');
  if (!s.def.forward) throw updateError('OPERATION_INVALID', s.def, section, 'the network has no <forward> element to hold interfaces');
  const f = s.def.forward;
  // <forward dev='X'/> without <interface> elements stands for <interface dev='X'/> (libvirt's reading).
  const list = f.interface ?? (f.dev === undefined ? [] : [{ dev: f.dev }]);
  const i = list.findIndex((x) => x.dev === iface.dev);
  if (s.command === 'add') {
    if (i >= 0) throw updateError('OPERATION_INVALID', s.def, section, `interface '${iface.dev}' is in the forward list already`);
    f.interface = insert(list, { dev: iface.dev }, s.first);
  } else {
    if (i < 0) throw updateError('OPERATION_INVALID', s.def, section, `interface '${iface.dev}' is not in the forward list`);
    const used = list[i]?.connections ?? 0;
    if (used > 0) throw updateError('OPERATION_INVALID', s.def, section, `interface '${iface.dev}' is in use by ${used} guest interface(s)`);
    f.interface = list.filter((_, j) => j !== i);
    if (f.interface.length === 0) delete f.interface;
    if (f.dev === iface.dev) delete f.dev;
  }
  return 'none';
}

export function updatePortgroup(s: SectionUpdate): DnsmasqAction {
  const section = 'portgroup';
  const pg = parseNetworkElement<PortgroupDef>(portgroupSpec, s.xml, 'portgroup');
  const list = s.def.portgroup ?? [];
  const i = list.findIndex((x) => x.name === pg.name);
  if (s.command === 'delete') {
    if (i < 0) throw updateError('OPERATION_INVALID', s.def, section, `no portgroup is named '${pg.name}'`);
    s.def.portgroup = list.filter((_, j) => j !== i);
    if (s.def.portgroup.length === 0) delete s.def.portgroup;
    return 'none';
  }
  if (s.command === 'modify' && i < 0) throw updateError('OPERATION_INVALID', s.def, section, `no portgroup is named '${pg.name}'; add it instead`);
  if (s.command === 'add' && i >= 0) throw updateError('OPERATION_INVALID', s.def, section, `a portgroup named '${pg.name}' exists already; use modify`);
  const otherDefault = list.find((x, j) => j !== i && x.default === true);
  if (pg.default === true && otherDefault) {
    throw updateError('OPERATION_INVALID', s.def, section, `portgroup '${otherDefault.name}' is the default already; only one may be`);
  }
  s.def.portgroup = s.command === 'modify' ? list.map((x, j) => (j === i ? pg : x)) : insert(s.def.portgroup, pg, s.first);
  return 'none';
}
