/** Input devices, -audiodev, graphics (VNC) and video cards. */
import { needDevice } from './caps-view.js';
import type { BuildCtx } from './context.js';
import { aliasOf, pciProps, push, refuse, usbProps } from './context.js';
import { jsonOpt, keyval } from './escape.js';
import type { OptPair } from './escape.js';

export function buildInputs(ctx: BuildCtx): void {
  (ctx.devices.input ?? []).forEach((d, i) => {
    const w = `/domain/devices/input[${i + 1}]`;
    const bus = d.bus ?? (d.type === 'tablet' ? 'usb' : 'ps2');
    if (bus === 'ps2') {
      if (d.type === 'tablet') throw refuse(w, 'a tablet cannot be on the PS/2 bus');
      return; // the i8042 PS/2 mouse and keyboard are part of the machine
    }
    if (d.type !== 'mouse' && d.type !== 'tablet' && d.type !== 'keyboard') throw refuse(`${w}/@type`, `input type '${d.type}' is not supported`);
    const alias = aliasOf(d, w);
    if (bus === 'usb') {
      const driver = { mouse: 'usb-mouse', tablet: 'usb-tablet', keyboard: 'usb-kbd' }[d.type];
      needDevice(ctx.caps, driver, w);
      push(ctx, '-device', jsonOpt({ driver, id: alias, ...usbProps(ctx, d.address, w) }));
    } else if (bus === 'virtio') {
      const driver = { mouse: 'virtio-mouse-pci', tablet: 'virtio-tablet-pci', keyboard: 'virtio-keyboard-pci' }[d.type];
      needDevice(ctx.caps, driver, w);
      push(ctx, '-device', jsonOpt({ driver, id: alias, ...pciProps(ctx, d.address, w) }));
    } else {
      throw refuse(`${w}/@bus`, `input bus '${bus}' is not supported (ps2, usb, virtio)`);
    }
  });
}

const AUDIO_DRIVERS: Record<string, string> = { none: 'none', spice: 'spice', file: 'wav', pulseaudio: 'pa', alsa: 'alsa', sdl: 'sdl', oss: 'oss', pipewire: 'pipewire' };

export function buildAudio(ctx: BuildCtx): void {
  for (const a of ctx.devices.audio ?? []) {
    const driver = AUDIO_DRIVERS[a.type];
    if (driver === undefined) throw refuse(`/domain/devices/audio[@id='${a.id}']/@type`, `audio type '${a.type}' is not supported`);
    const o: Record<string, unknown> = { id: `audio${a.id}`, driver };
    if (a.timerPeriod !== undefined) o['timer-period'] = a.timerPeriod;
    if (a.type === 'file' && a.path !== undefined) o.path = a.path;
    push(ctx, '-audiodev', jsonOpt(o));
  }
}

export function buildGraphics(ctx: BuildCtx): void {
  const audios = ctx.devices.audio ?? [];
  (ctx.devices.graphics ?? []).forEach((g, i) => {
    const w = `/domain/devices/graphics[${i + 1}]`;
    if (g.type !== 'vnc') throw refuse(`${w}/@type`, `graphics type '${g.type}' is not supported (vnc)`);
    if (g.keymap !== undefined) throw refuse(`${w}/@keymap`, 'VNC keymaps are not supported; leave keymap out');
    const listen = g.listens?.[0];
    let first: string;
    if (listen?.type === 'socket' || g.socket !== undefined) {
      const s = listen?.socket ?? g.socket;
      if (s === undefined) throw refuse(`${w}/listen`, 'a socket listen needs a socket path');
      first = `unix:${s}`;
    } else {
      const addr = listen?.address ?? g.listen ?? '127.0.0.1';
      let port = g.autoport === true || g.port === undefined || g.port === -1 ? ctx.paths.graphicsPorts?.[i] : g.port;
      if (port === undefined) throw refuse(`${w}/@port`, 'autoport needs a port allocated by the caller (RuntimePaths.graphicsPorts)');
      if (port < 5900) throw refuse(`${w}/@port`, `VNC port ${port} is below 5900`);
      port -= 5900;
      first = `${addr.includes(':') ? `[${addr}]` : addr}:${port}`;
    }
    const pairs: OptPair[] = [];
    if (g.websocket !== undefined && g.websocket !== -1) pairs.push(['websocket', g.websocket]);
    if (g.sharePolicy !== undefined) pairs.push(['share', g.sharePolicy]);
    if (g.passwd !== undefined) pairs.push(['password', true]);
    const aud = g.audio?.id ?? audios[0]?.id;
    if (aud !== undefined) pairs.push(['audiodev', `audio${aud}`]);
    push(ctx, '-vnc', keyval(first, pairs));
  });
}

type Video = NonNullable<BuildCtx['devices']['video']>[number];

function videoDriver(v: Video, primary: boolean): string | undefined {
  const t = v.model?.type ?? 'vga';
  const map: Record<string, [string, string] | undefined> = {
    vga: ['VGA', 'VGA'],
    cirrus: ['cirrus-vga', 'cirrus-vga'],
    vmvga: ['vmware-svga', 'vmware-svga'],
    qxl: ['qxl-vga', 'qxl'],
    virtio: ['virtio-vga', 'virtio-gpu-pci'],
    bochs: ['bochs-display', 'bochs-display'],
    ramfb: ['ramfb', 'ramfb'],
  };
  const d = map[t];
  return d === undefined ? undefined : primary ? d[0] : d[1];
}

export function buildVideo(ctx: BuildCtx): void {
  (ctx.devices.video ?? []).forEach((v, i) => {
    const w = `/domain/devices/video[${i + 1}]`;
    const m = v.model;
    if (m?.type === 'none') return;
    const driver = videoDriver(v, i === 0);
    if (driver === undefined) throw refuse(`${w}/model/@type`, `video model '${m?.type}' is not supported`);
    if (m?.acceleration !== undefined) throw refuse(`${w}/model/acceleration`, '3D acceleration is not supported');
    needDevice(ctx.caps, driver, w);
    const o: Record<string, unknown> = { driver, id: aliasOf(v, w) };
    if (m?.type === 'qxl') {
      Object.assign(o, {
        max_outputs: m.heads ?? 1,
        ram_size: (m.ram ?? 65536) * 1024,
        vram_size: (m.vram ?? 65536) * 1024,
        vram64_size_mb: Math.floor((m.vram64 ?? 0) / 1024),
        vgamem_mb: Math.floor((m.vgamem ?? 16384) / 1024),
      });
    } else if (m?.type === 'virtio') {
      o.max_outputs = m.heads ?? 1;
    } else if ((m?.type === 'vga' || m?.type === 'vmvga' || m?.type === 'bochs') && m.vram !== undefined) {
      o[m.type === 'bochs' ? 'vgamem' : 'vgamem_mb'] = m.type === 'bochs' ? m.vram * 1024 : Math.floor(m.vram / 1024);
    }
    if (driver !== 'ramfb') Object.assign(o, pciProps(ctx, v.address, w));
    push(ctx, '-device', jsonOpt(o));
  });
}
