/**
 * The bodies of `virtkit clone` (virt-clone's options as the API takes them), as strict valibot
 * schemas; schemas.ts adds them to its named components and defines the answer (CloneResult,
 * which holds a DomainInfo).
 */
import * as v from 'valibot';

/** Named schemas of this module; schemas.ts adds them to `apiSchemas`. */
export const cloneSchemas = new Map<v.GenericSchema, { readonly id: string; readonly description: string }>();

const named = <T extends v.GenericSchema>(id: string, description: string, schema: T): T => {
  cloneSchemas.set(schema, { id, description });
  return schema;
};
const described = <T extends v.GenericSchema>(schema: T, text: string) => v.pipe(schema, v.description(text));
const nonEmpty = v.pipe(v.string(), v.minLength(1));
const flag = (text: string) => v.optional(described(v.boolean(), text));
const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

const cloneEntries = {
  name: v.optional(described(nonEmpty, "The new domain's name (default with autoClone: NAME-clone, NAME-clone1...)")),
  files: v.optional(described(v.array(nonEmpty),
    "virt-clone --file: one per disk to clone, in order: an absolute path, or (for a disk of type 'volume') a volume name in the original's pool")),
  macs: v.optional(described(v.array(v.pipe(v.string(), v.regex(MAC, 'a MAC address like 52:54:00:12:34:56'))),
    'virt-clone --mac: the NICs\' MACs in order; the others get random ones')),
  skipCopy: v.optional(described(v.array(nonEmpty), 'virt-clone --skip-copy: disk targets (vda...) the clone shares with the original')),
  autoClone: flag('Generate the name and the paths of disks without a files entry (virt-clone --auto-clone)'),
  preserveData: flag('Copy nothing: every files entry is an existing image, taken as it is (virt-clone --preserve-data)'),
  linked: flag("Each cloned disk a qcow2 overlay backed by the original's qcow2 image, instead of a full copy"),
  reflink: flag('Copy raw disks by sharing their extents (cp --reflink=always: btrfs, XFS); fails where the file system cannot. Other formats are copied as usual (virt-clone --reflink)'),
  nvram: v.optional(described(nonEmpty, "The clone's NVRAM file (default: NEWNAME_VARS.fd beside the original's)")),
  replace: flag('Destroy and undefine a domain that has the new name first (virt-clone --replace)'),
  printXml: flag("Only answer the clone's XML; nothing is made (virt-clone --print-xml)"),
};

export const CloneBody = named('CloneRequest', 'Clone a shut-off domain (virt-clone)', v.strictObject(cloneEntries));

export const CloneXmlBody = named('CloneXmlRequest', 'Clone a domain given as XML (virt-clone --original-xml)', v.strictObject({
  ...cloneEntries,
  originalXml: described(nonEmpty, "The original's domain XML"),
}));

export const CloneDisk = named('CloneDisk', 'What the clone did with one disk', v.strictObject({
  target: v.string(),
  action: described(v.picklist(['share', 'copy', 'link', 'preserve']), 'share: the same storage; copy: a full copy; link: a qcow2 overlay on the original; preserve: an existing image'),
  path: v.optional(described(v.string(), 'The new storage: a path, or POOL/VOLUME')),
}));
