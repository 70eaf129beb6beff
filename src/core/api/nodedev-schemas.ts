/**
 * The node device API's answers (nodedev-list, nodedev-detach/-reattach/-reset), as strict
 * valibot schemas; schemas.ts re-exports them and adds them to its named components. The
 * device XML travels as an XmlDocument.
 */
import * as v from 'valibot';

export const nodedevSchemas = new Map<v.GenericSchema, { readonly id: string; readonly description: string }>();

const named = <T extends v.GenericSchema>(id: string, description: string, schema: T): T => {
  nodedevSchemas.set(schema, { id, description });
  return schema;
};
const described = <T extends v.GenericSchema>(schema: T, text: string) => v.pipe(schema, v.description(text));

export const NodedevList = named('NodedevList', 'Host devices, sorted by name (virsh nodedev-list)', v.strictObject({
  devices: v.array(v.strictObject({
    name: described(v.string(), 'libvirt\'s node device name: pci_0000_03_00_0, net_eth0_00_1b_21_aa_bb_01, usb_1_1'),
    parent: described(v.string(), "The parent device's name; 'computer' for the root"),
    cap: v.picklist(['pci', 'net', 'usb_device']),
  })),
}));

export const NodedevBindResult = named('NodedevBindResult', 'A PCI device detached, reattached or reset: its driver before and after, and the sysfs writes made', v.strictObject({
  address: described(v.string(), 'PCI address as sysfs names it (0000:03:00.0)'),
  name: v.string(),
  before: described(v.nullable(v.string()), 'The bound driver before (null: unbound)'),
  after: described(v.nullable(v.string()), 'The bound driver after (null: unbound)'),
  writes: described(v.array(v.strictObject({ path: v.string(), value: v.string() })), 'The sysfs writes, in order, paths relative to /; empty when the device was where asked already'),
}));
