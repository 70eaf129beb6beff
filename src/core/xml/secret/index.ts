/**
 * Secret XML (libvirt's formatsecret): parse -> defaults -> validate -> format, the define
 * rules against the existing secrets, and the pure half of the value store (base64, value
 * checks, the private rule). The daemon keeps the values, 0600, under the instance's config.
 *
 * Imports: core/errors, core/xml's machinery, the domain's uuid generator; nothing else.
 */
export { parseSecretXml, secretDefaults, secretProblems, validateSecret, prepareSecretXml, formatSecretXml, secretUsageId, describeSecretUsage } from './secret.js';
export type { SecretPrepareContext } from './secret.js';
export { SECRET_USAGE_TYPES, secretSpec } from './schema.js';
export type { SecretDef, SecretUsage, SecretUsageType } from './schema.js';
export { checkSecretDefine } from './define.js';
export { SECRET_VALUE_MAX, checkSecretValue, checkSecretValueReadable, decodeSecretBase64, encodeSecretBase64 } from './value.js';
