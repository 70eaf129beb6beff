/**
 * The disk API's bodies and answers (attach/detach a disk, change-media, blockresize,
 * domblkinfo), as strict valibot schemas; schemas.ts re-exports them and adds them to its
 * named components.
 */
import * as v from 'valibot';

/** Named schemas of this module; schemas.ts adds them to `apiSchemas`. */
export const diskSchemas = new Map<v.GenericSchema, { readonly id: string; readonly description: string }>();

const named = <T extends v.GenericSchema>(id: string, description: string, schema: T): T => {
  diskSchemas.set(schema, { id, description });
  return schema;
};
const described = <T extends v.GenericSchema>(schema: T, text: string) => v.pipe(schema, v.description(text));
const bytes = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const nonEmpty = v.pipe(v.string(), v.minLength(1));
const flag = (text: string) => v.optional(described(v.boolean(), text));
const impact = {
  live: flag('Change the running domain'),
  config: flag('Change the persistent definition (neither live nor config: the running domain if it runs, else the definition)'),
  persistent: flag('Change the definition, and the running domain too when it runs (virsh --persistent)'),
};

export const DeviceXmlBody = named('DeviceXmlRequest', 'A device to attach or detach (virsh attach-device / detach-device): a <disk> or <interface> element', v.strictObject({
  xml: described(nonEmpty, 'The device XML: one <disk> or <interface> element'),
  ...impact,
}));

export const DiskDetachBody = named('DiskDetachRequest', 'The disk to detach (virsh detach-disk)', v.strictObject({
  disk: described(nonEmpty, 'Its target (vdb) or source path'),
  ...impact,
}));

export const BlockResizeBody = named('BlockResizeRequest', 'New size of a running domain\'s disk (virsh blockresize)', v.strictObject({
  disk: described(nonEmpty, 'Its target (vdb) or source path'),
  bytes: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
}));

export const ChangeMediaBody = named('ChangeMediaRequest', 'Eject, insert or replace the medium of a CD-ROM or floppy drive (virsh change-media)', v.strictObject({
  disk: described(nonEmpty, 'The drive\'s target (hdc) or source path'),
  mode: v.picklist(['eject', 'insert', 'update']),
  source: v.optional(described(nonEmpty, 'The new medium (insert, update)')),
  block: flag('The source is a host block device'),
  force: flag('Open a tray the guest has locked'),
  ...impact,
}));

export const BlockInfo = named('BlockInfo', 'Sizes of a running domain\'s disk as QEMU has it open (virsh domblkinfo)', v.strictObject({
  target: v.string(),
  capacity: described(bytes, 'The guest-visible size'),
  allocation: described(bytes, 'Bytes the image uses on the host'),
  physical: described(bytes, 'The size of the file (of a block device: its capacity)'),
  source: described(v.nullable(v.string()), 'The file QEMU has open; null for an empty drive'),
}));
