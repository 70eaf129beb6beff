/**
 * The SMT policy of an automatically placed domain, which libvirt's XML has no place for: a
 * virtkit element in <metadata>, in its own namespace as libvirt's metadata elements are
 * (docs/placement.md):
 *
 *   <metadata><virtkit:placement xmlns:virtkit='https://virtkit.dev/xmlns/placement/1' smt='isolate'/></metadata>
 *
 * Pure: read from the parsed definition (metadata is kept verbatim).
 */
import { VirtkitError } from '../errors.js';
import type { DomainDef } from '../xml/domain/index.js';
import type { SmtPolicy } from './types.js';

export const VIRTKIT_PLACEMENT_XMLNS = 'https://virtkit.dev/xmlns/placement/1';
const POLICIES: readonly SmtPolicy[] = ['prefer', 'isolate', 'require'];

/** The `smt` of the virtkit placement element; undefined without one (then `prefer`). */
export function smtPolicyOf(def: DomainDef): SmtPolicy | undefined {
  for (const el of def.metadata?.children ?? []) {
    const [prefix, local] = el.name.includes(':') ? el.name.split(':', 2) : [undefined, el.name];
    const ns = el.attrs.find(([k]) => k === (prefix === undefined ? 'xmlns' : `xmlns:${prefix}`))?.[1];
    if (local !== 'placement' || ns !== VIRTKIT_PLACEMENT_XMLNS) continue;
    const smt = el.attrs.find(([k]) => k === 'smt')?.[1];
    if (smt === undefined) return undefined;
    if (!(POLICIES as readonly string[]).includes(smt)) {
      throw new VirtkitError('XML_INVALID_VALUE', `${el.path}/@smt: '${smt}' is not an SMT policy (${POLICIES.join(', ')})`, { details: { path: `${el.path}/@smt`, value: smt } });
    }
    return smt as SmtPolicy;
  }
  return undefined;
}
