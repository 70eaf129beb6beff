/**
 * --serial, --console, --channel -> character devices; virt-install's defaults: a pty <console> when the
 * command names no serial or console, the QEMU guest agent channel when the OS has virtio-serial, the spice
 * agent channel with spice graphics.
 */
import { VirtkitError } from '../errors.js';
import { Opts, uses } from './build-args.js';
import { addressNodes } from './build-disks.js';
import type { DraftDevice } from './draft.js';
import { supportsVirtio } from './os-support.js';
import type { InstallArgs, OsInfo } from './types.js';
import { el, type XNode } from './xml-out.js';

const AGENT = 'org.qemu.guest_agent.0';
const SPICE = 'com.redhat.spice.0';
const CHAR_TYPES = new Set(['pty', 'file', 'unix', 'tcp', 'udp', 'dev', 'pipe', 'spicevmc', 'spiceport', 'null', 'stdio', 'qemu-vdagent']);

function charNode(kind: 'serial' | 'console' | 'channel', o: Opts): XNode {
  const type = o.get('type') ?? 'pty';
  if (!CHAR_TYPES.has(type)) throw new VirtkitError('INVALID_ARGUMENT', `--${kind}: unknown type '${type}' (one of ${[...CHAR_TYPES].join(', ')})`, { details: { flag: kind, type } });
  const kids: XNode[] = [];
  const path = o.get('path') ?? o.get('source.path');
  if (type === 'unix') kids.push(el('source', { mode: o.get('mode') ?? o.get('source.mode') ?? 'bind', path }));
  else if (type === 'tcp' || type === 'udp') {
    const [host, service] = (o.get('host') ?? o.get('source.host') ?? '').split(':');
    kids.push(el('source', { mode: o.get('mode') ?? (type === 'tcp' ? 'bind' : 'connect'), host: host || undefined, service: service ?? o.get('source.service') }));
    if (type === 'tcp') kids.push(el('protocol', { type: o.get('protocol') ?? 'raw' }));
  } else if (path !== undefined) kids.push(el('source', { path }));
  if (o.has('log.file')) kids.push(el('log', { file: o.get('log.file'), append: o.get('log.append') }));
  const ttype = o.get('target.type');
  const tname = o.get('name') ?? o.get('target.name');
  if (kind === 'channel') {
    const name = tname ?? (type === 'spicevmc' ? SPICE : type === 'unix' ? AGENT : undefined);
    kids.push(el('target', { type: ttype ?? (o.has('target.address') ? 'guestfwd' : 'virtio'), name, address: o.get('target.address'), port: o.get('target.port') }));
  } else if (ttype !== undefined || o.has('target.port') || o.has('target.model.name')) {
    kids.push(el('target', { type: ttype, port: o.get('target.port') }, o.has('target.model.name') ? [el('model', { name: o.get('target.model.name') })] : []));
  }
  kids.push(...addressNodes(o));
  return el(kind, { type }, kids);
}

export function buildChars(args: InstallArgs, os: OsInfo, graphics: string | null): DraftDevice[] {
  const serials = uses(args, 'serial').map((u) => charNode('serial', new Opts('serial', u)));
  const consoles = uses(args, 'console').map((u) => charNode('console', new Opts('console', u)));
  if (serials.length === 0 && consoles.length === 0) consoles.push(el('console', { type: 'pty' }));
  const channels = uses(args, 'channel').map((u) => charNode('channel', new Opts('channel', u)));
  const named = (n: string): boolean => channels.some((c) => c.children.some((t) => t.name === 'target' && t.attrs.some(([k, v]) => k === 'name' && v === n)));
  if (!named(AGENT) && supportsVirtio(os, 'console')) {
    channels.push(el('channel', { type: 'unix' }, [el('source', { mode: 'bind' }), el('target', { type: 'virtio', name: AGENT })]));
  }
  if (graphics === 'spice' && !named(SPICE)) channels.push(el('channel', { type: 'spicevmc' }, [el('target', { type: 'virtio', name: SPICE })]));
  return [...serials, ...consoles, ...channels].map((node) => ({ node }));
}
