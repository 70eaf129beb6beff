/**
 * Secret XML through parse -> defaults -> validate -> format, as libvirt's secret_conf.c:
 * a missing uuid is generated (from the injected random source), ephemeral and private
 * default to 'no' and are always written, and a usage names its object with the one child
 * element its type takes (<volume> for volume, <target> for iscsi, <name> otherwise).
 */
import { VirtkitError } from '../../errors.js';
import { formatWithSpec, parseWithSpec } from '../codec.js';
import { generateUuid } from '../domain/defaults/index.js';
import { parseXmlTree } from '../tree.js';
import type { SecretDef, SecretUsage, SecretUsageType } from './schema.js';
import { secretSpec, USAGE_ID_ELEMENT } from './schema.js';

export interface SecretPrepareContext {
  /** n random bytes: crypto.randomBytes in production, a fixed stream in tests. */
  random(n: number): Uint8Array;
}

/** Step 1: XML text to the model, refusing anything the schema does not name. */
export function parseSecretXml(xml: string): SecretDef {
  const root = parseXmlTree(xml);
  if (root.name !== 'secret') {
    throw new VirtkitError('INVALID_XML', `the root element is <${root.name}>, expected <secret>`, { details: { path: root.path } });
  }
  return parseWithSpec(secretSpec, root) as SecretDef;
}

/** Step 2: a new SecretDef with libvirt's defaults filled in; the input is not modified. */
export function secretDefaults(input: SecretDef, ctx: SecretPrepareContext): SecretDef {
  const def = structuredClone(input);
  def.ephemeral ??= false;
  def.private ??= false;
  def.uuid ??= generateUuid(ctx);
  return def;
}

const USAGE_CHILDREN = ['volume', 'name', 'target'] as const;

/** Step 3: every rule the schema alone cannot say, first problem first. */
export function secretProblems(def: SecretDef): VirtkitError[] {
  const out: VirtkitError[] = [];
  const usage = def.usage;
  if (usage === undefined) return out;
  const want = USAGE_ID_ELEMENT[usage.type];
  for (const child of USAGE_CHILDREN) {
    if (child === want || usage[child] === undefined) continue;
    const path = `/secret/usage/${child}`;
    out.push(
      new VirtkitError('XML_UNSUPPORTED', `${path}: <${child}> does not belong in a usage of type '${usage.type}', which names its object with <${want}>`, {
        details: { path },
      }),
    );
  }
  if (usage[want] === undefined) {
    out.push(
      new VirtkitError('XML_MISSING', `/secret/usage: a usage of type '${usage.type}' needs <${want}>${usageIdHint(usage.type)}</${want}>`, {
        details: { path: `/secret/usage/${want}` },
      }),
    );
  }
  return out;
}

function usageIdHint(type: SecretUsageType): string {
  return { volume: 'PATH-OF-THE-VOLUME', ceph: 'CEPH-CLIENT-NAME', iscsi: 'IQN', tls: 'NAME', vtpm: 'NAME' }[type];
}

export function validateSecret(def: SecretDef): void {
  const [first] = secretProblems(def);
  if (first) throw first;
}

/** parse, defaults and validate in one call: what secret-define does with its XML. */
export function prepareSecretXml(xml: string, ctx: SecretPrepareContext): SecretDef {
  const def = secretDefaults(parseSecretXml(xml), ctx);
  validateSecret(def);
  return def;
}

/** Step 4: the model back to libvirt-style XML. */
export function formatSecretXml(def: SecretDef): string {
  return formatWithSpec(secretSpec, def, 'secret', '');
}

/** The id a usage names its object by (the volume path, the ceph client name, the iSCSI target...). */
export function secretUsageId(usage: SecretUsage): string | undefined {
  return usage[USAGE_ID_ELEMENT[usage.type]];
}

/** "volume /var/lib/x.img", as virsh secret-list's Usage column shows it. */
export function describeSecretUsage(def: SecretDef): string {
  if (def.usage === undefined) return '';
  return `${def.usage.type} ${secretUsageId(def.usage) ?? ''}`.trim();
}
