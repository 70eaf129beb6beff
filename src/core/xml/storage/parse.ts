/**
 * Step 1 of parse -> defaults -> validate -> format for pools and volumes:
 * XML text to the typed model, refusing anything unknown with its element path.
 * A pool of a type virtkit does not run (logical, iscsi...) is refused by its
 * type before its (type-specific) children are looked at.
 */
import { VirtkitError } from '../../errors.js';
import { parseWithSpec } from '../codec.js';
import type { XmlElement } from '../tree.js';
import { parseXmlTree } from '../tree.js';
import type { PoolDef } from './pool-schema.js';
import { POOL_TYPES, REFUSED_POOL_TYPES, poolSpec } from './pool-schema.js';
import { poolProblems, volumeShapeProblems } from './validate.js';
import type { VolumeDef } from './volume-schema.js';
import { volumeSpec } from './volume-schema.js';

function rootOf(xml: string, name: 'pool' | 'volume'): XmlElement {
  const root = parseXmlTree(xml);
  if (root.name !== name) {
    throw new VirtkitError('INVALID_XML', `the root element is <${root.name}>, expected <${name}>`, { details: { path: root.path } });
  }
  return root;
}

/** XML_UNSUPPORTED for a pool type libvirt has and virtkit does not run; undefined otherwise. */
export function refusedPoolType(root: XmlElement): VirtkitError | undefined {
  const type = root.attrs.find(([k]) => k === 'type')?.[1];
  if (type === undefined || !(REFUSED_POOL_TYPES as readonly string[]).includes(type)) return undefined;
  const path = `${root.path}/@type`;
  return new VirtkitError(
    'XML_UNSUPPORTED',
    `${path}: pool type '${type}' is not supported; virtkit runs pools of type ${POOL_TYPES.map((t) => `'${t}'`).join(', ')}`,
    { details: { path, value: type, supported: [...POOL_TYPES] } },
  );
}

export function parsePoolXml(xml: string): PoolDef {
  const root = rootOf(xml, 'pool');
  const refused = refusedPoolType(root);
  if (refused) throw refused;
  return parseWithSpec(poolSpec, root) as PoolDef;
}

export function parseVolumeXml(xml: string): VolumeDef {
  return parseWithSpec(volumeSpec, rootOf(xml, 'volume')) as VolumeDef;
}

function collect<T>(xml: string, name: 'pool' | 'volume', parse: (root: XmlElement, problems: VirtkitError[]) => T, rules: (def: T) => VirtkitError[]): VirtkitError[] {
  let root;
  try {
    root = rootOf(xml, name);
  } catch (e) {
    if (e instanceof VirtkitError) return [e];
    throw e;
  }
  const problems: VirtkitError[] = [];
  const def = parse(root, problems);
  return problems.length > 0 ? problems : rules(def);
}

/** Every problem in a pool document (for `virtkit validate`): parse problems, else the per-type rules. */
export function checkPoolXml(xml: string): VirtkitError[] {
  return collect(
    xml,
    'pool',
    (root, problems) => {
      const refused = refusedPoolType(root);
      if (refused) {
        problems.push(refused);
        return undefined;
      }
      return parseWithSpec(poolSpec, root, problems) as PoolDef;
    },
    (def) => (def === undefined ? [] : poolProblems(def)),
  );
}

/** Every problem in a volume document that does not depend on its pool (see volumeProblems for the rest). */
export function checkVolumeXml(xml: string): VirtkitError[] {
  return collect(xml, 'volume', (root, problems) => parseWithSpec(volumeSpec, root, problems) as VolumeDef, volumeShapeProblems);
}
