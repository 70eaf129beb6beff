/** pool-define-as / pool-create-as: virsh's arguments and the pool XML it builds from them. */
import { escapeXml } from './storage.js';
import type { OptionSpec } from './framework.js';

export const POOL_AS_ARGS = [
  { name: 'name', help: 'name of the pool', required: true },
  { name: 'type', help: 'type of the pool', required: true },
  { name: 'source-host', help: 'source-host for underlying storage', required: false },
  { name: 'source-path', help: 'source path for underlying storage', required: false },
  { name: 'source-dev', help: 'source device for underlying storage', required: false },
  { name: 'source-name', help: 'source name for underlying storage', required: false },
  { name: 'target', help: 'target for underlying storage', required: false },
] as const;

export const POOL_AS_OPTIONS = {
  'print-xml': { type: 'boolean', help: 'print XML document, but don\'t define/create' },
  'source-format': { type: 'string', help: 'format for underlying storage', arg: 'string' },
  'source-protocol-ver': { type: 'string', help: 'nfsvers value for NFS pool mount option', arg: 'string' },
} as const satisfies Record<string, OptionSpec>;

export function poolAsXml(a: Readonly<Record<string, string | undefined>>, o: { 'source-format'?: string | undefined; 'source-protocol-ver'?: string | undefined }): string {
  const src: string[] = [];
  const q = (s: string) => escapeXml(s);
  if (a['source-host'] !== undefined) src.push(`    <host name='${q(a['source-host'])}'/>`);
  if (a['source-path'] !== undefined) src.push(`    <dir path='${q(a['source-path'])}'/>`);
  if (a['source-dev'] !== undefined) src.push(`    <device path='${q(a['source-dev'])}'/>`);
  if (o['source-format'] !== undefined) src.push(`    <format type='${q(o['source-format'])}'/>`);
  if (a['source-name'] !== undefined) src.push(`    <name>${q(a['source-name'])}</name>`);
  if (o['source-protocol-ver'] !== undefined) src.push(`    <protocol ver='${q(o['source-protocol-ver'])}'/>`);
  const lines = [`<pool type='${q(a['type'] ?? '')}'>`, `  <name>${q(a['name'] ?? '')}</name>`];
  if (src.length > 0) lines.push('  <source>', ...src, '  </source>');
  if (a['target'] !== undefined) lines.push('  <target>', `    <path>${q(a['target'])}</path>`, '  </target>');
  lines.push('</pool>');
  return `${lines.join('\n')}\n`;
}
