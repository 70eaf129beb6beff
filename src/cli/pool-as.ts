/**
 * pool-define-as / pool-create-as: virsh's arguments and the pool XML it builds from them
 * (virshBuildPoolXML: the <source> children in its order, <auth> after the host, dir and device).
 */
import { escapeXml } from './storage.js';
import { usageError, type OptionSpec } from './framework.js';

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
  'source-port': { type: 'string', help: "port of the source host (virtkit's: <host port=...>, a Ceph monitor's port)", arg: 'number' },
  'auth-type': { type: 'string', help: 'auth type to be used for underlying storage', arg: 'string' },
  'auth-username': { type: 'string', help: 'auth username to be used for underlying storage', arg: 'string' },
  'secret-usage': { type: 'string', help: 'auth secret usage to be used for underlying storage', arg: 'string' },
  'secret-uuid': { type: 'string', help: 'auth secret UUID to be used for underlying storage', arg: 'string' },
  'source-protocol-ver': { type: 'string', help: 'nfsvers value for NFS pool mount option', arg: 'string' },
} as const satisfies Record<string, OptionSpec>;

export interface PoolAsOptions {
  readonly 'source-format'?: string | undefined;
  readonly 'source-port'?: string | undefined;
  readonly 'auth-type'?: string | undefined;
  readonly 'auth-username'?: string | undefined;
  readonly 'secret-usage'?: string | undefined;
  readonly 'secret-uuid'?: string | undefined;
  readonly 'source-protocol-ver'?: string | undefined;
}

/**
 * The <auth> element, or none. virsh writes it only when --auth-type, --auth-username and one of
 * --secret-usage / --secret-uuid are all given, and silently drops a partial set; virtkit refuses
 * a partial set instead (a pool defined without the credentials the user typed would fail later,
 * at its start, with a less clear message).
 */
function authLines(o: PoolAsOptions): string[] {
  const type = o['auth-type'];
  const user = o['auth-username'];
  const usage = o['secret-usage'];
  const uuid = o['secret-uuid'];
  if (usage !== undefined && uuid !== undefined) throw usageError('Options --secret-usage and --secret-uuid are mutually exclusive');
  const secret = usage ?? uuid;
  if (type === undefined && user === undefined && secret === undefined) return [];
  if (type === undefined || user === undefined || secret === undefined) {
    throw usageError('--auth-type, --auth-username and one of --secret-usage or --secret-uuid go together (e.g. --auth-type ceph --auth-username admin --secret-usage client.admin)');
  }
  const q = escapeXml;
  return [
    `    <auth type='${q(type)}' username='${q(user)}'>`,
    usage !== undefined ? `      <secret usage='${q(usage)}'/>` : `      <secret uuid='${q(secret)}'/>`,
    '    </auth>',
  ];
}

function hostLine(host: string | undefined, port: string | undefined): string[] {
  if (port !== undefined && host === undefined) throw usageError('--source-port needs --source-host');
  if (port !== undefined && !/^\d{1,5}$/.test(port)) throw usageError(`--source-port '${port}' is not a port number`);
  if (host === undefined) return [];
  return [`    <host name='${escapeXml(host)}'${port === undefined ? '' : ` port='${port}'`}/>`];
}

export function poolAsXml(a: Readonly<Record<string, string | undefined>>, o: PoolAsOptions): string {
  const q = (s: string) => escapeXml(s);
  const src = hostLine(a['source-host'], o['source-port']);
  if (a['source-path'] !== undefined) src.push(`    <dir path='${q(a['source-path'])}'/>`);
  if (a['source-dev'] !== undefined) src.push(`    <device path='${q(a['source-dev'])}'/>`);
  src.push(...authLines(o));
  if (o['source-format'] !== undefined) src.push(`    <format type='${q(o['source-format'])}'/>`);
  if (a['source-name'] !== undefined) src.push(`    <name>${q(a['source-name'])}</name>`);
  if (o['source-protocol-ver'] !== undefined) src.push(`    <protocol ver='${q(o['source-protocol-ver'])}'/>`);
  const lines = [`<pool type='${q(a['type'] ?? '')}'>`, `  <name>${q(a['name'] ?? '')}</name>`];
  // virsh drops an <auth> with no other <source> child; virtkit keeps what was typed.
  if (src.length > 0) lines.push('  <source>', ...src, '  </source>');
  if (a['target'] !== undefined) lines.push('  <target>', `    <path>${q(a['target'])}</path>`, '  </target>');
  lines.push('</pool>');
  return `${lines.join('\n')}\n`;
}
