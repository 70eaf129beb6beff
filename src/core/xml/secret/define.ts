/**
 * secret-define's rules against the secrets already defined, as libvirt's virSecretObjListAdd:
 * a UUID keeps its usage, a private secret stays private, and two secrets never share a usage
 * (an rbd disk or an encrypted volume finds its secret by usage, so it must be unambiguous).
 */
import { VirtkitError } from '../../errors.js';
import type { SecretDef } from './schema.js';
import { describeSecretUsage, secretUsageId } from './secret.js';

const sameUsage = (a: SecretDef, b: SecretDef): boolean =>
  a.usage?.type === b.usage?.type && (a.usage ? secretUsageId(a.usage) : undefined) === (b.usage ? secretUsageId(b.usage) : undefined);

/**
 * Checks `def` (after defaults: it has a uuid) against `existing`. Returns the secret it
 * replaces (same UUID), or undefined when it is a new one.
 */
export function checkSecretDefine(existing: readonly SecretDef[], def: SecretDef): SecretDef | undefined {
  const old = existing.find((s) => s.uuid === def.uuid);
  if (old) {
    if (!sameUsage(old, def)) {
      const was = describeSecretUsage(old) || 'no usage';
      throw new VirtkitError(
        'XML_CONFLICT',
        `/secret/usage: secret ${def.uuid ?? ''} is already defined for use with ${was}; a secret's usage cannot change (undefine it and define a new one)`,
        { details: { path: '/secret/usage', uuid: def.uuid } },
      );
    }
    if (old.private === true && def.private !== true) {
      throw new VirtkitError('XML_CONFLICT', `/secret/@private: secret ${def.uuid ?? ''} is private and cannot be made readable by redefining it`, {
        details: { path: '/secret/@private', uuid: def.uuid },
      });
    }
    return old;
  }
  if (def.usage === undefined) return undefined;
  const other = existing.find((s) => sameUsage(s, def));
  if (other) {
    throw new VirtkitError(
      'XML_DUPLICATE',
      `/secret/usage: secret ${other.uuid ?? ''} is already defined for use with ${describeSecretUsage(def)}; redefine that one (same <uuid>) or undefine it first`,
      { details: { path: '/secret/usage', uuid: other.uuid } },
    );
  }
  return undefined;
}
