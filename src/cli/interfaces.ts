/**
 * What the interface commands build and read on the client side: attach-interface's and
 * detach-interface's <interface> XML (as virsh's cmdAttachInterface builds it), and an
 * interface of a domain XML named as virsh names it (its host tap or its MAC).
 */
import { parseDomainXml } from '../core/xml/domain/index.js';
import type { InterfaceDef } from '../core/xml/domain/schema/interface.js';
import { usageError } from './framework.js';
import { escapeXml } from './storage.js';

export const IFACE_TYPES = ['bridge', 'ethernet', 'network', 'user'] as const;

export interface AttachInterfaceSpec {
  readonly type: string;
  readonly source?: string | undefined;
  readonly target?: string | undefined;
  readonly mac?: string | undefined;
  readonly model?: string | undefined;
}

function checkType(type: string): void {
  if (!(IFACE_TYPES as readonly string[]).includes(type)) throw usageError(`No support for ${type} in command 'attach-interface' (${IFACE_TYPES.join(', ')})`);
}

/**
 * The <interface> of attach-interface: bridge and network take the source as their bridge or
 * network; ethernet's tap is --target (absent: virtkit makes a vnetN); user takes no source.
 */
export function attachInterfaceXml(s: AttachInterfaceSpec): string {
  checkType(s.type);
  const q = escapeXml;
  const lines = [`<interface type='${s.type}'>`];
  if (s.type === 'bridge' || s.type === 'network') {
    if (s.source === undefined || s.source === '') throw usageError(`attach-interface --type ${s.type} needs a source (the ${s.type} name)`);
    lines.push(`  <source ${s.type}='${q(s.source)}'/>`);
  }
  if (s.target !== undefined) lines.push(`  <target dev='${q(s.target)}'${s.type === 'ethernet' ? " managed='yes'" : ''}/>`);
  if (s.mac !== undefined) lines.push(`  <mac address='${q(s.mac)}'/>`);
  if (s.model !== undefined) lines.push(`  <model type='${q(s.model)}'/>`);
  lines.push('</interface>');
  return `${lines.join('\n')}\n`;
}

/** detach-interface's <interface>: its type, and its MAC when given (needed when the domain has several of that type). */
export function detachInterfaceXml(type: string, mac: string | undefined): string {
  checkType(type);
  return mac === undefined ? `<interface type='${type}'/>\n` : `<interface type='${type}'><mac address='${escapeXml(mac)}'/></interface>\n`;
}

/** The interface of `xml` whose host tap (target dev) or MAC (any case) is `ref`. */
export function findInterface(xml: string, ref: string): InterfaceDef | undefined {
  const list = parseDomainXml(xml).devices?.interface ?? [];
  return list.find((n) => n.target?.dev === ref) ?? list.find((n) => n.mac?.address.toLowerCase() === ref.toLowerCase());
}
