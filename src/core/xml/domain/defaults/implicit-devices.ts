/**
 * Devices libvirt adds on its own for x86 QEMU guests:
 *   - a PS/2 mouse and keyboard (built into the i8042; no -device on argv),
 *   - a video device when there is graphics but no <video> (cirrus, libvirt's
 *     x86 default while QEMU has cirrus-vga), and the video defaults
 *     (vram, qxl ram/vgamem, heads, primary),
 *   - a virtio memballoon when there is no <memballoon>,
 *   - q35's integrated iTCO watchdog (action reset),
 *   - <audio id='1' type='none'/> when no audio backend is configured,
 *   - (per-device defaults live in device-defaults.ts).
 */
import type { DomainDef, MachineKind, Video } from './types.js';
import { devicesOf } from './types.js';

export function addImplicitInputs(def: DomainDef): void {
  const inputs = (devicesOf(def).input ??= []);
  for (const type of ['mouse', 'keyboard'] as const) {
    if (!inputs.some((i) => i.type === type && (i.bus ?? 'ps2') === 'ps2')) inputs.push({ type, bus: 'ps2' });
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

/** The rest of qemuDomainDefAddDefaultDevices (isapc and microvm get none of it). */
export function addImplicitMisc(def: DomainDef, machine: MachineKind): void {
  const d = devicesOf(def);
  if (machine === 'other') return;
  if (!d.memballoon) d.memballoon = { model: 'virtio' };
  const dogs = d.watchdog ?? [];
  if (machine === 'q35' && !dogs.some((w) => w.model === 'itco')) {
    // The built-in iTCO follows the action of a watchdog already configured.
    (d.watchdog ??= []).push({ model: 'itco', action: dogs[0]?.action ?? 'reset' });
  }
  for (const w of d.watchdog ?? []) w.action ??= 'reset';
  // qemuDomainDefAddDefaultAudioBackend with qemu.conf defaults: SPICE carries
  // audio itself; VNC and headless guests get a silent backend.
  if ((d.audio?.length ?? 0) === 0) {
    const spice = (d.graphics ?? []).some((g) => g.type === 'spice');
    d.audio = [{ id: 1, type: spice ? 'spice' : 'none' }];
  }
}
