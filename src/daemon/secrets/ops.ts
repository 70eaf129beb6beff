/**
 * secret-define, secret-undefine, secret-set-value, secret-get-value and the queries, and
 * `secretValueFor`: how a volume or a disk gets the key its <secret uuid|usage> names.
 * Changes run as the one secrets job. A persistent secret's definition and value are
 * written (store.ts) before the registry changes: a failed write changes nothing.
 */
import { VirtkitError } from '../../core/errors.js';
import type { SecretUsageType } from '../../core/xml/secret/index.js';
import {
  checkSecretDefine, checkSecretValue, checkSecretValueReadable, decodeSecretBase64, encodeSecretBase64, formatSecretXml, parseSecretXml,
  prepareSecretXml, secretUsageId, validateSecret,
} from '../../core/xml/secret/index.js';
import { secretView, type SecretContext, type SecretInfo, type SecretRecord } from './context.js';

export interface SecretFilter {
  readonly ephemeral?: boolean;
  readonly private?: boolean;
}

type Opts = { readonly wait?: number };

/** Start-up: the stored definitions and values; one that does not parse is reported and left on disk. */
export async function loadSecrets(ctx: SecretContext): Promise<number> {
  for (const s of await ctx.deps.store.loadAll((m) => ctx.deps.log.warn(m))) {
    try {
      const def = parseSecretXml(s.xml);
      validateSecret(def);
      if (def.uuid !== s.uuid) throw new Error(`its <uuid> is ${def.uuid ?? 'missing'}`);
      ctx.secrets.add({ name: s.uuid, uuid: s.uuid, def, value: s.value });
    } catch (e) {
      ctx.deps.log.error(`ignoring the definition of secret ${s.uuid}: ${(e as Error).message}`);
    }
  }
  return ctx.secrets.size;
}

export function listSecrets(ctx: SecretContext, f: SecretFilter): SecretInfo[] {
  return ctx.secrets.all().map(secretView)
    .filter((s) => f.ephemeral === undefined || s.ephemeral === f.ephemeral)
    .filter((s) => f.private === undefined || s.private === f.private)
    .sort((a, b) => a.uuid.localeCompare(b.uuid));
}

function lookup(ctx: SecretContext, uuid: string): SecretRecord {
  const r = ctx.secrets.byUuid(uuid);
  if (!r) throw ctx.secrets.notFound(uuid, 'no %s has that UUID');
  return r;
}

export function getSecret(ctx: SecretContext, uuid: string): SecretInfo {
  return secretView(lookup(ctx, uuid));
}

export function secretXml(ctx: SecretContext, uuid: string): string {
  return formatSecretXml(lookup(ctx, uuid).def);
}

export function defineSecret(ctx: SecretContext, xml: string, o: Opts): Promise<{ secret: SecretInfo; created: boolean }> {
  return ctx.job('define secret', o.wait, async () => {
    const def = prepareSecretXml(xml, { random: ctx.random });
    const uuid = def.uuid ?? '';
    const old = checkSecretDefine(ctx.secrets.all().map((r) => r.def), def);
    const rec = old ? lookup(ctx, uuid) : undefined;
    const value = rec?.value;
    const store = ctx.deps.store;
    if (def.ephemeral === true) {
      // Memory only from now on: a persistent secret made ephemeral leaves the disk.
      if (rec && rec.def.ephemeral !== true) await store.delete(uuid);
    } else {
      await store.saveXml(uuid, formatSecretXml(def));
      if (value !== undefined && rec?.def.ephemeral === true) await store.saveValue(uuid, value);
    }
    const next: SecretRecord = rec ?? { name: uuid, uuid, def, value: undefined };
    next.def = def;
    if (!rec) ctx.secrets.add(next);
    ctx.events.emit(next, 'defined');
    return { secret: secretView(next), created: rec === undefined };
  });
}

export function undefineSecret(ctx: SecretContext, uuid: string, o: Opts): Promise<SecretInfo> {
  return ctx.job('undefine secret', o.wait, async () => {
    const r = lookup(ctx, uuid);
    if (r.def.ephemeral !== true) await ctx.deps.store.delete(r.uuid);
    ctx.secrets.remove(r);
    r.value = undefined;
    ctx.events.emit(r, 'undefined');
    return secretView(r);
  });
}

/** `value` is base64 (the API's form); the bytes are checked for the secret's usage, then stored. */
export function setSecretValue(ctx: SecretContext, uuid: string, value: string, o: Opts): Promise<SecretInfo> {
  return ctx.job('set secret value', o.wait, async () => {
    const r = lookup(ctx, uuid);
    const bytes = decodeSecretBase64(value);
    checkSecretValue(r.def.usage?.type, bytes);
    if (r.def.ephemeral !== true) await ctx.deps.store.saveValue(r.uuid, bytes);
    r.value = bytes;
    ctx.events.emit(r, 'value-changed');
    return secretView(r);
  });
}

/** base64; refused for a private secret. */
export function getSecretValue(ctx: SecretContext, uuid: string): string {
  const r = lookup(ctx, uuid);
  checkSecretValueReadable(r.def);
  if (r.value === undefined) throw noValue(r.uuid);
  return encodeSecretBase64(r.value);
}

function noValue(uuid: string): VirtkitError {
  return new VirtkitError('OPERATION_INVALID', `secret ${uuid} has no value; set one with secret-set-value`, { details: { secret: uuid } });
}

/** A <secret uuid='...'/> or <secret usage='...'/> of a volume's or a disk's XML. */
export interface SecretRef {
  readonly uuid?: string | undefined;
  readonly usage?: string | undefined;
}

/**
 * The value (bytes) of the secret `ref` names, for a consumer of usage type `type` (a LUKS
 * volume: 'volume'; an rbd disk: 'ceph'). Private secrets are usable: only reading them back
 * is refused. `where` names the XML element in errors.
 */
export function secretValueFor(ctx: SecretContext, ref: SecretRef, type: SecretUsageType, where: string): Uint8Array {
  let r: SecretRecord | undefined;
  if (ref.uuid !== undefined) r = ctx.secrets.byUuid(ref.uuid);
  else if (ref.usage !== undefined) r = ctx.secrets.all().find((s) => s.def.usage?.type === type && secretUsageId(s.def.usage) === ref.usage);
  const named = ref.uuid !== undefined ? `uuid ${ref.uuid}` : `usage '${ref.usage ?? ''}'`;
  if (!r) {
    throw new VirtkitError('SECRET_NOT_FOUND', `${where}: no secret with ${named}; define it (secret-define) and set its value (secret-set-value)`, {
      details: { path: where, ...(ref.uuid !== undefined ? { secret: ref.uuid } : { usage: ref.usage }) },
    });
  }
  if (r.def.usage !== undefined && r.def.usage.type !== type) {
    throw new VirtkitError('XML_CONFLICT', `${where}: secret ${r.uuid} is for ${r.def.usage.type} use, not ${type}`, { details: { path: where, secret: r.uuid } });
  }
  if (r.value === undefined) throw noValue(r.uuid);
  return r.value;
}

