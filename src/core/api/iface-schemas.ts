/**
 * The network interface API's bodies (domif-setlink), as strict valibot schemas; schemas.ts
 * adds them to its named components. Attaching and detaching an interface goes through the
 * device routes (DeviceXmlBody with an <interface> element).
 */
import * as v from 'valibot';

/** Named schemas of this module; schemas.ts adds them to `apiSchemas`. */
export const ifaceSchemas = new Map<v.GenericSchema, { readonly id: string; readonly description: string }>();

const named = <T extends v.GenericSchema>(id: string, description: string, schema: T): T => {
  ifaceSchemas.set(schema, { id, description });
  return schema;
};
const described = <T extends v.GenericSchema>(schema: T, text: string) => v.pipe(schema, v.description(text));

export const IfaceLinkBody = named('InterfaceLinkRequest', "A NIC's link state as the guest sees it (virsh domif-setlink)", v.strictObject({
  interface: described(v.pipe(v.string(), v.minLength(1)), 'The interface: its MAC, its host tap (target dev) or its alias'),
  state: v.picklist(['up', 'down']),
  config: v.optional(described(v.boolean(), 'Change the persistent definition instead of the running domain')),
}));
