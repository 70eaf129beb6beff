/** The <domain> root: the order of children here is the order virtkit writes them (libvirt's). */
import type { Model } from '../../schema.js';
import { attr, elem, many, one, raw, req, reqOne, text } from '../../schema.js';
import { oneOf, str, token, uint, uuidType } from '../../values.js';
import { diskSpec } from './disk.js';
import { interfaceSpec } from './interface.js';
import {
  audioSpec,
  charDeviceSpec,
  controllerSpec,
  filesystemSpec,
  graphicsSpec,
  hostdevSpec,
  inputSpec,
  memballoonSpec,
  panicSpec,
  rngSpec,
  soundSpec,
  tpmSpec,
  videoSpec,
  vsockSpec,
  watchdogSpec,
} from './devices.js';
import {
  clockSpec,
  cpuSpec,
  cputuneSpec,
  currentMemorySpec,
  featuresSpec,
  iothreadidsSpec,
  lifecycleAction,
  maxMemorySpec,
  memoryBackingSpec,
  memorySpec,
  numatuneSpec,
  osSpec,
  pmSpec,
  sysinfoSpec,
  vcpuSpec,
  vcpusSpec,
} from './general.js';

export const devicesSpec = elem({
  children: {
    emulator: one(text(token)),
    disk: many(diskSpec),
    controller: many(controllerSpec),
    filesystem: many(filesystemSpec),
    interface: many(interfaceSpec),
    input: many(inputSpec),
    graphics: many(graphicsSpec),
    sound: many(soundSpec),
    audio: many(audioSpec),
    video: many(videoSpec),
    hostdev: many(hostdevSpec),
    serial: many(charDeviceSpec),
    parallel: many(charDeviceSpec),
    console: many(charDeviceSpec),
    channel: many(charDeviceSpec),
    watchdog: many(watchdogSpec),
    memballoon: one(memballoonSpec),
    rng: many(rngSpec),
    tpm: many(tpmSpec),
    panic: many(panicSpec),
    vsock: one(vsockSpec),
  },
});

const qemuCommandlineSpec = elem({
  attrs: {},
  children: {
    arg: many(elem({ attrs: { value: req(str) } }), 'qemu:arg'),
    env: many(elem({ attrs: { name: req(token), value: attr(str) } }), 'qemu:env'),
  },
});

export const domainSpec = elem({
  attrs: {
    type: req(oneOf('qemu', 'kvm')),
    id: attr({ describe: 'an integer', parse: (s) => Number.parseInt(s, 10), format: String }),
    xmlnsQemu: attr(oneOf('http://libvirt.org/schemas/domain/qemu/1.0'), 'xmlns:qemu'),
  },
  children: {
    name: reqOne(text(token)),
    uuid: one(text(uuidType)),
    genid: one(text(str)),
    title: one(text(str)),
    description: one(text(str)),
    metadata: one(raw),
    maxMemory: one(maxMemorySpec),
    memory: one(memorySpec),
    currentMemory: one(currentMemorySpec),
    memoryBacking: one(memoryBackingSpec),
    vcpu: one(vcpuSpec),
    vcpus: one(vcpusSpec),
    iothreads: one(text(uint)),
    iothreadids: one(iothreadidsSpec),
    cputune: one(cputuneSpec),
    numatune: one(numatuneSpec),
    sysinfo: many(sysinfoSpec),
    os: one(osSpec),
    features: one(featuresSpec),
    cpu: one(cpuSpec),
    clock: one(clockSpec),
    on_poweroff: one(text(lifecycleAction)),
    on_reboot: one(text(lifecycleAction)),
    on_crash: one(text(lifecycleAction)),
    pm: one(pmSpec),
    devices: one(devicesSpec),
    commandline: one(qemuCommandlineSpec, 'qemu:commandline'),
  },
});

export type DomainDef = Model<typeof domainSpec>;
export type DevicesDef = Model<typeof devicesSpec>;
