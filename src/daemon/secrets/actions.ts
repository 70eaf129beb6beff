/**
 * The secrets part of the engine's one typed action list (engine/actions.ts merges it).
 * Values travel base64 in the actions and their results, as in the API bodies.
 */
import type { EngineContext } from '../engine/context.js';
import type { SecretInfo } from './context.js';
import {
  defineSecret, getSecret, getSecretValue, listSecrets, secretXml, setSecretValue, undefineSecret, type SecretFilter,
} from './ops.js';

type Ref = { readonly uuid: string };
type Opts = { readonly wait?: number };

export type SecretAction =
  | { readonly kind: 'secretList'; readonly filter: SecretFilter }
  | ({ readonly kind: 'secretGet' } & Ref)
  | ({ readonly kind: 'secretXml' } & Ref)
  | { readonly kind: 'secretDefine'; readonly xml: string }
  | ({ readonly kind: 'secretUndefine' } & Ref)
  | ({ readonly kind: 'secretSetValue'; readonly value: string } & Ref)
  | ({ readonly kind: 'secretGetValue' } & Ref);

export interface SecretResults {
  secretList: SecretInfo[];
  secretGet: SecretInfo;
  secretXml: string;
  secretDefine: { readonly secret: SecretInfo; readonly created: boolean };
  secretUndefine: SecretInfo;
  secretSetValue: SecretInfo;
  secretGetValue: string;
}

type Of<K extends SecretAction['kind']> = Extract<SecretAction, { kind: K }>;
type Handler<K extends SecretAction['kind']> = (ctx: EngineContext, a: Of<K>, o: Opts) => Promise<SecretResults[K]>;

export const secretHandlers: { readonly [K in SecretAction['kind']]: Handler<K> } = {
  secretList: async (ctx, a) => listSecrets(ctx.secrets, a.filter),
  secretGet: async (ctx, a) => getSecret(ctx.secrets, a.uuid),
  secretXml: async (ctx, a) => secretXml(ctx.secrets, a.uuid),
  secretDefine: (ctx, a, o) => defineSecret(ctx.secrets, a.xml, o),
  secretUndefine: (ctx, a, o) => undefineSecret(ctx.secrets, a.uuid, o),
  secretSetValue: (ctx, a, o) => setSecretValue(ctx.secrets, a.uuid, a.value, o),
  secretGetValue: async (ctx, a) => getSecretValue(ctx.secrets, a.uuid),
};
