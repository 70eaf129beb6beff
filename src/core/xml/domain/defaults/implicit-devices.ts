/**
 * Devices libvirt adds on its own for x86 QEMU guests:
 *   - a PS/2 mouse and keyboard (built into the i8042; no -device on argv),
 *   - a video device when there is graphics but no <video> (cirrus, libvirt's
 *     x86 default while QEMU has cirrus-vga), and the video defaults
 *     (vram, qxl ram/vgamem, heads, primary),
 *   - a virtio memballoon when there is no <memballoon>,
 *   - q35's integrated iTCO watchdog (action reset),
 *   - <audio id='1' type='none'/> when no audio backend is configured,
 *   - the interface model rtl8139 when <model> is absent.
 */
import type { DomainDef, MachineKind, Video } from './types.js';
import { devicesOf } from './types.js';

export function addImplicitInputs(def: DomainDef): void {
  const d = devicesOf(def);
  const inputs = (d.input ??= []);
  for (const i of inputs) {
    if (i.bus !== undefined) continue;
    if (i.type === 'mouse' || i.type === 'keyboard') i.bus = 'ps2';
    else if (i.type === 'tablet') i.bus = 'usb';
  }
  for (const type of ['mouse', 'keyboard'] as const) {
    if (!inputs.some((i) => i.type === type && i.bus === 'ps2')) inputs.push({ type, bus: 'ps2' });
  }
}

const pow2 = (n: number): number => (n <= 1 ? n : 2 ** Math.ceil(Math.log2(n)));

/** KiB defaults of virDomainVideoDefaultRAM and qemuDomainDeviceVideoDefPostParse. */
function videoDefaults(v: Video, primary: boolean): void {
  const model = (v.model ??= { type: 'cirrus' });
  if (model.type === 'none') return;
  switch (model.type) {
    case 'vga':
    case 'cirrus':
    case 'vmvga':
    case 'bochs':
      model.vram ??= 16 * 1024;
      break;
    case 'qxl':
      model.ram ??= 64 * 1024;
      model.vram ??= 64 * 1024;
      model.vgamem ??= 16 * 1024;
      break;
    default:
      break;
  }
  // virDomainVideoDefPostParse rounds both up to a power of two.
  if (model.ram !== undefined) model.ram = pow2(model.ram);
  if (model.vram !== undefined) model.vram = pow2(model.vram);
  if (model.type !== 'ramfb') model.heads ??= 1;
  if (primary) model.primary = true;
}

export function addImplicitVideo(def: DomainDef): void {
  const d = devicesOf(def);
  if ((d.graphics?.length ?? 0) > 0 && (d.video?.length ?? 0) === 0) d.video = [{ model: { type: 'cirrus' } }];
  const videos = d.video ?? [];
  // The primary video goes first (virDomainDefPostParseVideo).
  const p = videos.findIndex((v) => v.model?.primary === true);
  if (p > 0) videos.unshift(...videos.splice(p, 1));
  videos.forEach((v, i) => videoDefaults(v, i === 0 && v.model?.type !== 'none'));
}

export function addImplicitMisc(def: DomainDef, machine: MachineKind): void {
  const d = devicesOf(def);
  if (!d.memballoon) d.memballoon = { model: 'virtio' };
  if (machine === 'q35' && !(d.watchdog ?? []).some((w) => w.model === 'itco')) {
    (d.watchdog ??= []).push({ model: 'itco', action: 'reset' });
  }
  for (const w of d.watchdog ?? []) w.action ??= 'reset';
  if ((d.audio?.length ?? 0) === 0) d.audio = [{ id: 1, type: 'none' }];
  for (const n of d.interface ?? []) {
    if (!n.model && n.type !== 'hostdev') n.model = { type: 'rtl8139' };
  }
}
