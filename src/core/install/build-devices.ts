/**
 * The other devices and virt-install's defaults for them: controllers (explicit ones first, then a
 * virtio-scsi controller for scsi disks, one USB controller, and pcie-root + 14 pcie-root-ports on q35),
 * input, graphics (spice when the emulator has it, else vnc), sound/redirdev with spice, video, hostdev,
 * watchdog, memballoon and rng (when the OS has the virtio device), tpm.
 */
import { VirtkitError } from '../errors.js';
import { Opts, has, last, uses } from './build-args.js';
import { addressNodes } from './build-disks.js';
import type { DraftDevice } from './draft.js';
import { supportsUsb3, supportsVirtio } from './os-support.js';
import type { HostFacts, InstallArgs, OsInfo } from './types.js';
import { el, type XNode } from './xml-out.js';

/** virt-install's default number of pcie-root-ports on q35. */
const PCIE_ROOT_PORTS = 14;

const bad = (flag: string, msg: string): VirtkitError => new VirtkitError('INVALID_ARGUMENT', `--${flag}: ${msg}`, { details: { flag } });
const withAddr = (o: Opts, kids: XNode[]): XNode[] => [...kids, ...addressNodes(o)];

/** The graphics type: --graphics as given (`none` -> null); else spice when the emulator has it, else vnc. */
export function graphicsType(args: InstallArgs, host: HostFacts): string | null {
  if (!has(args, 'graphics')) return host.spice === false ? 'vnc' : 'spice';
  const t = last(args, 'graphics').get('type') ?? 'vnc';
  return t === 'none' ? null : t;
}

export function buildControllers(args: InstallArgs, os: OsInfo, q35: boolean, scsiDisk: boolean): DraftDevice[] {
  const out: XNode[] = [];
  for (const u of uses(args, 'controller')) {
    const o = new Opts('controller', u);
    const type = o.get('type');
    if (type === undefined) throw bad('controller', 'type= is required (usb, scsi, sata, virtio-serial, pci...)');
    const kids: XNode[] = [];
    if (o.has('master.startport')) kids.push(el('master', { startport: o.get('master.startport') }));
    if (o.has('driver.iothread') || o.has('driver.queues')) kids.push(el('driver', { iothread: o.get('driver.iothread'), queues: o.get('driver.queues') }));
    const target = ['chassisNr', 'chassis', 'port', 'hotplug', 'busNr', 'index', 'node'].filter((k) => o.has(`target.${k}`));
    if (target.length > 0) kids.push(el('target', Object.fromEntries(target.map((k) => [k, o.get(`target.${k}`)]))));
    out.push(el('controller', { type, index: o.get('index'), model: o.get('model'), ports: o.get('ports'), vectors: o.get('vectors') }, withAddr(o, kids)));
  }
  const hasType = (t: string): boolean => out.some((c) => c.attrs.some(([k, v]) => k === 'type' && v === t));
  if (scsiDisk && !hasType('scsi')) out.push(el('controller', { type: 'scsi', model: supportsVirtio(os, 'scsi') ? 'virtio-scsi' : undefined }));
  if (!hasType('usb')) {
    if (supportsUsb3(os)) out.push(el('controller', { type: 'usb', model: 'qemu-xhci', ports: 15 }));
    else {
      out.push(el('controller', { type: 'usb', model: 'ich9-ehci1' }));
      [0, 2, 4].forEach((p, i) => out.push(el('controller', { type: 'usb', model: `ich9-uhci${i + 1}` }, [el('master', { startport: p })])));
    }
  }
  if (q35 && !hasType('pci')) {
    out.push(el('controller', { type: 'pci', model: 'pcie-root' }));
    for (let i = 0; i < PCIE_ROOT_PORTS; i++) out.push(el('controller', { type: 'pci', model: 'pcie-root-port' }));
  }
  return out.map((node) => ({ node }));
}

export function buildInputs(args: InstallArgs, graphics: string | null): DraftDevice[] {
  const list = uses(args, 'input').map((u) => {
    const o = new Opts('input', u);
    const type = o.get('type') ?? 'tablet';
    const bus = o.get('bus') ?? (type === 'tablet' || type === 'keyboard' ? 'usb' : type === 'mouse' ? 'ps2' : undefined);
    const src = o.has('source.evdev') || o.has('source.dev') ? [el('source', { evdev: o.get('source.evdev'), dev: o.get('source.dev'), grab: o.get('source.grab'), repeat: o.get('source.repeat') })] : [];
    return el('input', { type, bus, model: o.get('model') }, withAddr(o, src));
  });
  if (list.length === 0 && graphics !== null) list.push(el('input', { type: 'tablet', bus: 'usb' }));
  return list.map((node) => ({ node }));
}

export function buildGraphics(args: InstallArgs, graphics: string | null): DraftDevice[] {
  if (graphics === null) return [];
  const g = last(args, 'graphics');
  const port = g.get('port');
  const auto = port === undefined || port === '-1';
  const common = { keymap: g.get('keymap'), passwd: g.get('password'), passwdValidTo: g.get('passwordValidTo'), connected: g.get('connected') };
  const listens = [...g.indexed(/^listens([0-9]+)\.(.+)$/).values()].map((l) => el('listen', { type: l.get('type'), address: l.get('address'), network: l.get('network'), socket: l.get('socket') }));
  if (graphics === 'spice') {
    const kids: XNode[] = [...listens, el('image', { compression: g.get('image.compression') ?? 'off' })];
    if (g.has('streaming.mode')) kids.push(el('streaming', { mode: g.get('streaming.mode') }));
    if (g.has('gl.enable')) kids.push(el('gl', { enable: g.bool('gl.enable') ? 'yes' : 'no', rendernode: g.get('gl.rendernode') }));
    const tls = g.get('tlsPort');
    return [{ node: el('graphics', { type: 'spice', port: port ?? '-1', tlsPort: tls ?? (auto ? '-1' : undefined), autoport: auto ? 'yes' : undefined, listen: g.get('listen'), ...common, defaultMode: g.get('defaultMode') }, kids) }];
  }
  if (graphics === 'vnc') return [{ node: el('graphics', { type: 'vnc', port: port ?? '-1', websocket: g.get('websocket'), listen: g.get('listen'), ...common }, listens) }];
  throw bad('graphics', `unknown type '${graphics}' (vnc, spice or none)`);
}

export function buildVideoSound(args: InstallArgs, os: OsInfo, q35: boolean, graphics: string | null): { sound: DraftDevice[]; video: DraftDevice[]; redirdev: DraftDevice[] } {
  const spice = graphics === 'spice';
  const sound = spice ? [{ node: el('sound', { model: q35 ? 'ich9' : 'ich6' }) }] : [];
  const redirdev = spice ? [0, 1].map(() => ({ node: el('redirdev', { bus: 'usb', type: 'spicevmc' }) })) : [];
  const videos = uses(args, 'video').map((u) => new Opts('video', u));
  if (videos.length === 0 && graphics !== null) videos.push(new Opts('video', { raw: '', opts: [{ key: 'model.type', value: spice ? 'qxl' : supportsVirtio(os, 'gpu') ? 'virtio' : 'vga' }] }));
  const video = videos.map((o) => {
    const kids: XNode[] = o.has('model.acceleration.accel3d') ? [el('acceleration', { accel3d: o.bool('model.acceleration.accel3d') ? 'yes' : 'no' })] : [];
    const model = el('model', { type: o.get('model.type'), ram: o.get('model.ram'), vram: o.get('model.vram'), vram64: o.get('model.vram64'), vgamem: o.get('model.vgamem'), heads: o.get('model.heads'), blob: o.get('model.blob') }, kids);
    return { node: el('video', {}, withAddr(o, [model])) };
  });
  return { sound, video, redirdev };
}

/** --hostdev NAME: a PCI address (0000:01:00.0 or pci_0000_01_00_0), a USB vendor:product or bus.device. */
export function buildHostdevs(args: InstallArgs): DraftDevice[] {
  return uses(args, 'hostdev').map((u) => {
    const o = new Opts('hostdev', u);
    const name = o.get('name') ?? '';
    let m;
    let source: XNode;
    let type = 'pci';
    if ((m = /^(?:pci_)?(?:([0-9a-f]{4})[:_])?([0-9a-f]{2})[:_]([0-9a-f]{2})[._]([0-7])$/i.exec(name))) {
      source = el('source', {}, [el('address', { domain: `0x${m[1] ?? '0000'}`, bus: `0x${m[2] ?? ''}`, slot: `0x${m[3] ?? ''}`, function: `0x${m[4] ?? ''}` })]);
    } else if ((m = /^(?:0x)?([0-9a-f]{4}):(?:0x)?([0-9a-f]{4})$/i.exec(name))) {
      type = 'usb';
      source = el('source', {}, [el('vendor', { id: `0x${m[1] ?? ''}` }), el('product', { id: `0x${m[2] ?? ''}` })]);
    } else if ((m = /^([0-9]{1,3})\.([0-9]{1,3})$/.exec(name))) {
      type = 'usb';
      source = el('source', {}, [el('address', { bus: Number(m[1]), device: Number(m[2]) })]);
    } else {
      throw bad('hostdev', `'${name}' is not a PCI address (0000:01:00.0), a USB vendor:product (0x1234:0x5678) or a USB bus.device (1.3)`);
    }
    const kids = [source];
    if (o.has('driver.name')) kids.push(el('driver', { name: o.get('driver.name') }));
    if (o.has('rom.bar')) kids.push(el('rom', { bar: o.get('rom.bar') }));
    if (o.has('boot.order')) kids.push(el('boot', { order: o.get('boot.order') }));
    return { node: el('hostdev', { mode: 'subsystem', type: o.get('type') ?? type, managed: 'yes' }, withAddr(o, kids)) };
  });
}

export function buildTail(args: InstallArgs, os: OsInfo, q35: boolean): { tpm: DraftDevice[]; watchdog: DraftDevice[]; memballoon: DraftDevice[]; rng: DraftDevice[] } {
  const tpm = uses(args, 'tpm').flatMap((u) => {
    const o = new Opts('tpm', u);
    let type = o.get('backend.type') ?? 'emulator';
    let path = o.get('backend.device.path');
    if (type === 'none') return [];
    if (type.startsWith('/')) [type, path] = ['passthrough', type];
    const backend = el('backend', { type, version: o.get('backend.version'), persistent_state: o.get('backend.persistent_state') }, path !== undefined ? [el('device', { path })] : []);
    return [{ node: el('tpm', { model: o.get('model') ?? (q35 ? 'tpm-crb' : 'tpm-tis') }, withAddr(o, [backend])) }];
  });
  const watchdog = uses(args, 'watchdog').map((u) => {
    const o = new Opts('watchdog', u);
    return { node: el('watchdog', { model: o.get('model') ?? 'i6300esb', action: o.get('action') }, withAddr(o, [])) };
  });
  const mb = has(args, 'memballoon') ? last(args, 'memballoon') : null;
  const mbModel = mb?.get('model') ?? (supportsVirtio(os, 'balloon') ? 'virtio' : null);
  const memballoon = mbModel === null ? [] : [{ node: el('memballoon', { model: mbModel, autodeflate: mb?.has('autodeflate') ? (mb.bool('autodeflate') ? 'on' : 'off') : undefined, freePageReporting: mb?.has('freePageReporting') ? (mb.bool('freePageReporting') ? 'on' : 'off') : undefined },
    [...(mb?.has('stats.period') ? [el('stats', { period: mb.get('stats.period') })] : []), ...(mb ? addressNodes(mb) : [])]) }];
  let rng: DraftDevice[] = [];
  if (has(args, 'rng')) {
    const o = last(args, 'rng');
    let type = o.get('type') ?? o.get('backend.type') ?? 'random';
    let device = o.get('device') ?? o.get('backend');
    if (type.startsWith('/')) [type, device] = ['random', type];
    if (type !== 'none') {
      const backend = type === 'builtin' ? el('backend', { model: 'builtin' }) : type === 'random' ? el('backend', { model: 'random' }, device ?? '/dev/urandom')
        : el('backend', { model: 'egd', type: o.get('backend.type') ?? 'tcp' }, [el('source', { mode: o.get('backend.source.mode') ?? 'connect', host: o.get('backend.source.host'), service: o.get('backend.source.service') })]);
      const kids = [backend];
      if (o.has('rate.bytes')) kids.push(el('rate', { bytes: o.get('rate.bytes'), period: o.get('rate.period') }));
      rng = [{ node: el('rng', { model: o.get('model') ?? 'virtio' }, withAddr(o, kids)) }];
    }
  } else if (supportsVirtio(os, 'rng')) {
    rng = [{ node: el('rng', { model: 'virtio' }, [el('backend', { model: 'random' }, '/dev/urandom')]) }];
  }
  return { tpm, watchdog, memballoon, rng };
}
