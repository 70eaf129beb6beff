/**
 * Character devices: a -chardev backend named char<alias> and the front end
 * (isa-serial, virtserialport, virtconsole). A <console> that mirrors a
 * serial port (target type serial) adds nothing.
 */
import type { CharDeviceDef } from '../../xml/domain/schema/devices.js';
import { needDevice } from './caps-view.js';
import type { BuildCtx } from './context.js';
import { addrOf, aliasOf, push, refuse } from './context.js';
import { jsonOpt, keyval } from './escape.js';
import type { OptPair } from './escape.js';
import { socketChardev } from './preamble.js';

/** The -chardev value for a character device's source. */
export function chardevBackend(ctx: BuildCtx, c: CharDeviceDef, id: string, alias: string, w: string): string {
  const type = c.type ?? 'pty';
  const src = c.source?.[0];
  const log: OptPair[] = c.log ? [['logfile', c.log.file], ['logappend', c.log.append ?? false]] : [];
  switch (type) {
    case 'pty':
      return keyval('pty', [['id', id], ...log]);
    case 'null':
      return keyval('null', [['id', id], ...log]);
    case 'stdio':
      return keyval('stdio', [['id', id], ...log]);
    case 'file':
      if (src?.path === undefined) throw refuse(`${w}/source/@path`, 'a file character device needs a path');
      return keyval('file', [['id', id], ['path', src.path], ...(src.append !== undefined ? ([['append', src.append]] as OptPair[]) : []), ...log]);
    case 'pipe':
      if (src?.path === undefined) throw refuse(`${w}/source/@path`, 'a pipe character device needs a path');
      return keyval('pipe', [['id', id], ['path', src.path], ...log]);
    case 'dev':
      if (src?.path === undefined) throw refuse(`${w}/source/@path`, 'a dev character device needs a path');
      return keyval('tty', [['id', id], ['path', src.path], ...log]);
    case 'unix': {
      const server = (src?.mode ?? 'bind') === 'bind';
      const pre = ctx.paths.channelSockets?.[alias];
      if (pre !== undefined) return socketChardev(id, pre, server);
      let path = src?.path;
      if (path === undefined) {
        const name = c.target?.name;
        if (!server || ctx.paths.channelDir === undefined || name === undefined) {
          throw refuse(`${w}/source/@path`, 'a unix socket needs a path (or RuntimePaths.channelDir for a named channel)');
        }
        path = `${ctx.paths.channelDir}/${name}`;
      }
      return socketChardev(id, { path }, server);
    }
    case 'tcp': {
      const server = src?.mode === 'bind';
      const tel = c.protocol?.type === 'telnet';
      return keyval('socket', [
        ['id', id],
        ['host', src?.host],
        ['port', src?.service],
        ...(tel ? ([['telnet', true]] as OptPair[]) : []),
        ...(server ? ([['server', true], ['wait', false]] as OptPair[]) : []),
        ...log,
      ]);
    }
    case 'udp':
      return keyval('udp', [['id', id], ['host', src?.host], ['port', src?.service], ...log]);
    default:
      throw refuse(`${w}/@type`, `character device type '${type}' is not supported`);
  }
}

function serialPorts(ctx: BuildCtx): void {
  (ctx.devices.serial ?? []).forEach((s, i) => {
    const w = `/domain/devices/serial[${i + 1}]`;
    const alias = aliasOf(s, w);
    const ttype = s.target?.type ?? 'isa-serial';
    const model = s.target?.model?.name ?? (ttype === 'usb-serial' ? 'usb-serial' : ttype === 'pci-serial' ? 'pci-serial' : 'isa-serial');
    if (model !== 'isa-serial') throw refuse(`${w}/target`, `serial model '${model}' is not supported (isa-serial)`);
    needDevice(ctx.caps, model, w);
    push(ctx, '-chardev', chardevBackend(ctx, s, `char${alias}`, alias, w));
    push(ctx, '-device', jsonOpt({ driver: 'isa-serial', chardev: `char${alias}`, id: alias, index: s.target?.port ?? i }));
  });
  if ((ctx.devices.parallel ?? []).length > 0) throw refuse('/domain/devices/parallel', 'parallel ports are not supported');
}

function virtioSerialBus(ctx: BuildCtx, c: CharDeviceDef, w: string): { bus: string; nr?: number } {
  const a = addrOf(c.address, 'virtio-serial', w);
  const ctl = (ctx.devices.controller ?? []).find((x) => x.type === 'virtio-serial' && (x.index ?? 0) === a.controller);
  if (!ctl) throw refuse(`${w}/address`, `no virtio-serial controller with index ${a.controller}`);
  return { bus: `${aliasOf(ctl, 'virtio-serial controller')}.${a.bus}`, ...(a.port !== undefined ? { nr: a.port } : {}) };
}

function channels(ctx: BuildCtx): void {
  (ctx.devices.channel ?? []).forEach((c, i) => {
    const w = `/domain/devices/channel[${i + 1}]`;
    const alias = aliasOf(c, w);
    if (c.target?.type !== 'virtio') throw refuse(`${w}/target/@type`, `channel target '${c.target?.type ?? '(none)'}' is not supported (virtio)`);
    needDevice(ctx.caps, 'virtserialport', w);
    push(ctx, '-chardev', chardevBackend(ctx, c, `char${alias}`, alias, w));
    const o: Record<string, unknown> = { driver: 'virtserialport', ...virtioSerialBus(ctx, c, w), chardev: `char${alias}`, id: alias };
    if (c.target.name !== undefined) o.name = c.target.name;
    push(ctx, '-device', jsonOpt(o));
  });
}

function consoles(ctx: BuildCtx): void {
  (ctx.devices.console ?? []).forEach((c, i) => {
    const w = `/domain/devices/console[${i + 1}]`;
    const t = c.target?.type ?? 'serial';
    if (t === 'serial') {
      // The console is the serial port of the same number (prepareDomain adds it when missing).
      const port = c.target?.port ?? 0;
      const ok = (ctx.devices.serial ?? []).some((s, j) => (s.target?.port ?? j) === port);
      if (!ok) throw refuse(w, `the console mirrors serial port ${port}, which the domain does not have`);
      return;
    }
    if (t !== 'virtio') throw refuse(`${w}/target/@type`, `console target '${t}' is not supported (serial, virtio)`);
    const alias = aliasOf(c, w);
    needDevice(ctx.caps, 'virtconsole', w);
    push(ctx, '-chardev', chardevBackend(ctx, c, `char${alias}`, alias, w));
    push(ctx, '-device', jsonOpt({ driver: 'virtconsole', ...virtioSerialBus(ctx, c, w), chardev: `char${alias}`, id: alias }));
  });
}

export function buildCharDevices(ctx: BuildCtx): void {
  serialPorts(ctx);
  channels(ctx);
  consoles(ctx);
}
