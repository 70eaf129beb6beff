/**
 * libvirt's secret XML (formatsecret.html): `<secret ephemeral private>` with a uuid, a
 * description and the object the secret is for (`<usage type>`). The usage element's children
 * depend on its type; the codec accepts each one and validate.ts checks the type's own.
 */
import type { Model } from '../schema.js';
import { attr, elem, one, req, text } from '../schema.js';
import { oneOf, str, token, uuidType, yesNo } from '../values.js';

export const SECRET_USAGE_TYPES = ['volume', 'ceph', 'iscsi', 'tls', 'vtpm'] as const;
export type SecretUsageType = (typeof SECRET_USAGE_TYPES)[number];

/** The child element that names what each usage type is for (libvirt's usage id). */
export const USAGE_ID_ELEMENT = { volume: 'volume', ceph: 'name', iscsi: 'target', tls: 'name', vtpm: 'name' } as const satisfies Record<
  SecretUsageType,
  string
>;

export const secretUsageSpec = elem({
  attrs: { type: req(oneOf(...SECRET_USAGE_TYPES)) },
  children: {
    volume: one(text(token)),
    name: one(text(token)),
    target: one(text(token)),
  },
});

export const secretSpec = elem({
  attrs: { ephemeral: attr(yesNo), private: attr(yesNo) },
  children: {
    uuid: one(text(uuidType)),
    description: one(text(str)),
    usage: one(secretUsageSpec),
  },
});

export type SecretDef = Model<typeof secretSpec>;
export type SecretUsage = Model<typeof secretUsageSpec>;
