/** The remaining device specs: controllers, host devices, character devices, graphics and the small ones. */
import type { Model } from '../../schema.js';
import { attr, elem, many, one, req, text, textElem } from '../../schema.js';
import { oneOf, onOff, str, token, uint, yesNo } from '../../values.js';
import { addressSpec } from './address.js';
import { aliasSpec, bootSpec, emptySpec, hostSourceAddressSpec, romSpec, uintStr, virtioDriverAttrs } from './common.js';

export const controllerSpec = elem({
  attrs: {
    type: req(oneOf('pci', 'usb', 'ide', 'sata', 'scsi', 'virtio-serial', 'fdc', 'ccid', 'isa')),
    index: attr(uint),
    model: attr(token),
    ports: attr(uint),
    vectors: attr(uint),
  },
  children: {
    modelName: one(elem({ attrs: { name: req(token) } }), 'model'),
    target: one(
      elem({
        attrs: {
          chassisNr: attr(uint),
          chassis: attr(uint),
          port: attr(uint),
          busNr: attr(uint),
          index: attr(uint),
          hotplug: attr(onOff),
          memReserve: attr(uint),
        },
        children: { node: one(text(uint)) },
      }),
    ),
    driver: one(
      elem({
        attrs: {
          queues: attr(uint),
          cmd_per_lun: attr(uint),
          max_sectors: attr(uint),
          ioeventfd: attr(onOff),
          iothread: attr(uint),
          ...virtioDriverAttrs,
        },
      }),
    ),
    master: one(elem({ attrs: { startport: req(uint) } })),
    pcihole64: one(textElem(uint, { scaled: { field: 'value', out: 'KiB', default: 'KiB' } })),
    alias: one(aliasSpec),
    address: one(addressSpec),
  },
});

export const hostdevSpec = elem({
  attrs: {
    mode: attr(oneOf('subsystem')),
    type: req(oneOf('pci', 'usb', 'scsi', 'mdev')),
    managed: attr(yesNo),
    model: attr(token),
    display: attr(onOff),
  },
  children: {
    driver: one(elem({ attrs: { name: attr(oneOf('vfio', 'kvm', 'xen')), model: attr(token) } })),
    source: one(
      elem({
        attrs: { startupPolicy: attr(oneOf('mandatory', 'requisite', 'optional')), guestReset: attr(oneOf('off', 'uboot', 'on', 'uninitialized')) },
        children: {
          vendor: one(elem({ attrs: { id: req(uintStr) } })),
          product: one(elem({ attrs: { id: req(uintStr) } })),
          address: one(hostSourceAddressSpec),
        },
      }),
    ),
    boot: one(bootSpec),
    rom: one(romSpec),
    readonly: one(emptySpec),
    shareable: one(emptySpec),
    alias: one(aliasSpec),
    address: one(addressSpec),
  },
});

const charSourceSpec = elem({
  attrs: {
    path: attr(str),
    mode: attr(oneOf('bind', 'connect')),
    host: attr(token),
    service: attr(token),
    append: attr(onOff),
    channel: attr(token),
    tls: attr(yesNo),
  },
  children: { reconnect: one(elem({ attrs: { enabled: req(yesNo), timeout: attr(uint) } })) },
});

const charTargetSpec = elem({
  attrs: {
    type: attr(token),
    port: attr(uint),
    name: attr(token),
    state: attr(oneOf('connected', 'disconnected')),
    address: attr(token),
  },
  children: {
    model: one(elem({ attrs: { name: req(token) } })),
  },
});

export const charTypes = oneOf('pty', 'file', 'unix', 'tcp', 'udp', 'dev', 'pipe', 'null', 'vc', 'stdio', 'spicevmc', 'spiceport', 'qemu-vdagent', 'dbus');
export const charDeviceSpec = elem({
  attrs: { type: attr(charTypes), tty: attr(str) },
  children: {
    source: many(charSourceSpec),
    protocol: one(elem({ attrs: { type: req(oneOf('raw', 'telnet', 'telnets', 'tls')) } })),
    log: one(elem({ attrs: { file: req(str), append: attr(onOff) } })),
    target: one(charTargetSpec),
    alias: one(aliasSpec),
    address: one(addressSpec),
  },
});
export type CharDeviceDef = Model<typeof charDeviceSpec>;

export const inputSpec = elem({
  attrs: {
    type: req(oneOf('mouse', 'tablet', 'keyboard', 'passthrough', 'evdev')),
    bus: attr(oneOf('ps2', 'usb', 'virtio', 'xen', 'none')),
    model: attr(oneOf('virtio', 'virtio-transitional', 'virtio-non-transitional')),
  },
  children: {
    source: one(elem({ attrs: { evdev: attr(str), dev: attr(str), grab: attr(oneOf('all')), repeat: attr(onOff), grabToggle: attr(token) } })),
    driver: one(elem({ attrs: virtioDriverAttrs })),
    alias: one(aliasSpec),
    address: one(addressSpec),
  },
});

export const graphicsSpec = elem({
  attrs: {
    type: req(oneOf('vnc', 'spice', 'sdl', 'egl-headless', 'dbus')),
    port: attr({ describe: 'a port number or -1', parse: (s) => (s === '-1' ? -1 : uint.parse(s)), format: String }),
    autoport: attr(yesNo),
    websocket: attr({ describe: 'a port number or -1', parse: (s) => (s === '-1' ? -1 : uint.parse(s)), format: String }),
    tlsPort: attr(uint),
    listen: attr(token),
    socket: attr(str),
    passwd: attr(str),
    passwdValidTo: attr(token),
    keymap: attr(token),
    sharePolicy: attr(oneOf('allow-exclusive', 'force-shared', 'ignore')),
    defaultMode: attr(oneOf('any', 'secure', 'insecure')),
    connected: attr(oneOf('keep', 'disconnect', 'fail')),
    display: attr(token),
    xauth: attr(str),
    fullscreen: attr(yesNo),
  },
  children: {
    listens: many(elem({ attrs: { type: req(oneOf('address', 'network', 'socket', 'none')), address: attr(token), network: attr(token), socket: attr(str) } }), 'listen'),
    image: one(elem({ attrs: { compression: req(token) } })),
    streaming: one(elem({ attrs: { mode: req(oneOf('filter', 'all', 'off')) } })),
    gl: one(elem({ attrs: { enable: req(yesNo), rendernode: attr(str) } })),
    audio: one(elem({ attrs: { id: req(uint) } })),
  },
});

export const videoSpec = elem({
  children: {
    driver: one(elem({ attrs: { name: attr(oneOf('qemu', 'vhostuser')), vgaconf: attr(token), ...virtioDriverAttrs } })),
    model: one(
      elem({
        attrs: {
          type: req(oneOf('vga', 'cirrus', 'vmvga', 'qxl', 'virtio', 'bochs', 'ramfb', 'none')),
          ram: attr(uint),
          vram: attr(uint),
          vram64: attr(uint),
          vgamem: attr(uint),
          heads: attr(uint),
          primary: attr(yesNo),
          blob: attr(onOff),
        },
        children: { acceleration: one(elem({ attrs: { accel3d: attr(yesNo), accel2d: attr(yesNo), rendernode: attr(str) } })) },
      }),
    ),
    alias: one(aliasSpec),
    address: one(addressSpec),
  },
});

export const soundSpec = elem({
  attrs: { model: req(oneOf('sb16', 'es1370', 'pcspk', 'ac97', 'ich6', 'ich7', 'ich9', 'usb', 'virtio')), multichannel: attr(yesNo) },
  children: {
    codec: many(elem({ attrs: { type: req(oneOf('duplex', 'micro', 'output')) } })),
    audio: one(elem({ attrs: { id: req(uint) } })),
    alias: one(aliasSpec),
    address: one(addressSpec),
  },
});

export const audioSpec = elem({
  attrs: {
    id: req(uint),
    type: req(oneOf('none', 'alsa', 'coreaudio', 'dbus', 'jack', 'oss', 'pulseaudio', 'sdl', 'spice', 'file', 'pipewire')),
    timerPeriod: attr(uint),
    path: attr(str),
  },
});

export const memballoonSpec = elem({
  attrs: { model: req(oneOf('virtio', 'virtio-transitional', 'virtio-non-transitional', 'none')), autodeflate: attr(onOff), freePageReporting: attr(onOff) },
  children: {
    stats: one(elem({ attrs: { period: req(uint) } })),
    driver: one(elem({ attrs: virtioDriverAttrs })),
    alias: one(aliasSpec),
    address: one(addressSpec),
  },
});

export const rngSpec = elem({
  attrs: { model: req(oneOf('virtio', 'virtio-transitional', 'virtio-non-transitional')) },
  children: {
    rate: one(elem({ attrs: { bytes: req(uint), period: attr(uint) } })),
    backend: one(
      elem({
        attrs: { model: req(oneOf('random', 'egd', 'builtin')), type: attr(oneOf('tcp', 'udp', 'unix', 'pty', 'file', 'dev')) },
        children: { source: many(elem({ attrs: { mode: attr(oneOf('bind', 'connect')), host: attr(token), service: attr(token), path: attr(str) } })) },
        text: str,
      }),
    ),
    driver: one(elem({ attrs: virtioDriverAttrs })),
    alias: one(aliasSpec),
    address: one(addressSpec),
  },
});

export const watchdogSpec = elem({
  attrs: {
    model: req(oneOf('i6300esb', 'ib700', 'diag288', 'itco')),
    action: attr(oneOf('reset', 'shutdown', 'poweroff', 'pause', 'none', 'dump', 'inject-nmi')),
  },
  children: { alias: one(aliasSpec), address: one(addressSpec) },
});

export const panicSpec = elem({
  attrs: { model: attr(oneOf('isa', 'pvpanic', 'hyperv', 's390', 'pseries')) },
  children: { alias: one(aliasSpec), address: one(addressSpec) },
});

export const tpmSpec = elem({
  attrs: { model: attr(oneOf('tpm-tis', 'tpm-crb', 'tpm-spapr', 'spapr-tpm-proxy')) },
  children: {
    backend: one(
      elem({
        attrs: { type: req(oneOf('passthrough', 'emulator', 'external')), version: attr(oneOf('1.2', '2.0')), persistent_state: attr(yesNo) },
        children: { device: one(elem({ attrs: { path: req(str) } })), source: one(elem({ attrs: { type: attr(oneOf('unix')), mode: attr(oneOf('connect')), path: req(str) } })) },
      }),
    ),
    alias: one(aliasSpec),
    address: one(addressSpec),
  },
});

export const vsockSpec = elem({
  attrs: { model: attr(oneOf('virtio', 'virtio-transitional', 'virtio-non-transitional')) },
  children: {
    cid: one(elem({ attrs: { auto: attr(yesNo), address: attr(uint) } })),
    driver: one(elem({ attrs: virtioDriverAttrs })),
    alias: one(aliasSpec),
    address: one(addressSpec),
  },
});

export const filesystemSpec = elem({
  attrs: {
    type: attr(oneOf('mount', 'block', 'file', 'template', 'ram', 'bind')),
    accessmode: attr(oneOf('passthrough', 'mapped', 'squash')),
    multidevs: attr(oneOf('default', 'remap', 'forbid', 'warn')),
    fmode: attr(token),
    dmode: attr(token),
  },
  children: {
    driver: one(elem({ attrs: { type: attr(oneOf('path', 'handle', 'loop', 'nbd', 'ploop', 'virtiofs')), wrpolicy: attr(oneOf('immediate')), queue: attr(uint), format: attr(token), ...virtioDriverAttrs } })),
    binary: one(elem({ attrs: { path: attr(str), xattr: attr(onOff) } })),
    source: one(elem({ attrs: { dir: attr(str), file: attr(str), dev: attr(str), name: attr(token), socket: attr(str) } })),
    target: one(elem({ attrs: { dir: req(str) } })),
    readonly: one(emptySpec),
    boot: one(bootSpec),
    alias: one(aliasSpec),
    address: one(addressSpec),
  },
});
