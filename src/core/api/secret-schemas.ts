/**
 * The secrets API's bodies and answers, as strict valibot schemas; schemas.ts re-exports them
 * and adds them to its named components. A value travels base64 in a JSON body, never in a
 * URL or query string. Its schema checks only the type and length: whether it is base64 is
 * checked by the daemon (core/xml/secret/value.ts), whose messages never quote a value.
 */
import * as v from 'valibot';

export const secretSchemas = new Map<v.GenericSchema, { readonly id: string; readonly description: string }>();

const named = <T extends v.GenericSchema>(id: string, description: string, schema: T): T => {
  secretSchemas.set(schema, { id, description });
  return schema;
};
const described = <T extends v.GenericSchema>(schema: T, text: string) => v.pipe(schema, v.description(text));
const nonEmpty = v.pipe(v.string(), v.minLength(1));
/** 64 KiB of bytes in base64, with room for line breaks. */
const BASE64_MAX = 90_000;

export const SecretInfo = named('SecretInfo', 'A secret as secret-list shows it (never its value)', v.strictObject({
  uuid: v.pipe(v.string(), v.uuid()),
  ephemeral: described(v.boolean(), 'Kept in the daemon\'s memory only'),
  private: described(v.boolean(), 'Its value can be set and used but never read back'),
  description: v.nullable(v.string()),
  usage: described(
    v.nullable(v.strictObject({ type: v.picklist(['volume', 'ceph', 'iscsi', 'tls', 'vtpm']), id: v.string() })),
    'What the secret is for: the usage type and the object it names (volume path, ceph client, iSCSI target...)',
  ),
  hasValue: described(v.boolean(), 'Whether a value was set'),
}));

export const SecretList = named('SecretList', 'Secrets, sorted by UUID', v.strictObject({ secrets: v.array(SecretInfo) }));

export const SecretDefineResult = named('SecretDefineResult', 'A secret definition stored', v.strictObject({
  secret: SecretInfo,
  created: described(v.boolean(), 'false when an existing definition (same UUID) was replaced; its value is kept'),
}));

export const SecretXmlBody = named('SecretXmlRequest', 'Secret XML (secret-define)', v.strictObject({
  xml: described(nonEmpty, 'libvirt secret XML'),
}));

export const SecretValue = named('SecretValue', 'A secret value, base64-encoded (1 to 65536 bytes)', v.strictObject({
  value: described(v.pipe(v.string(), v.minLength(1), v.maxLength(BASE64_MAX)), 'base64 (RFC 4648, padded); blanks and line breaks are ignored'),
}));
