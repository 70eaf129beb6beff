/** Domain-level elements other than <devices>: memory, CPUs, tuning, os, features, cpu, clock, pm, sysinfo. */
import { attr, elem, many, one, req, text, textElem } from '../../schema.js';
import { cpuset, int, oneOf, onOff, str, token, uint, yesNo } from '../../values.js';
import { NUMA_MODES } from '../../../tuning/names.js';

const KiB = { out: 'KiB', default: 'KiB' } as const;

export const memorySpec = textElem(uint, { attrs: { dumpCore: attr(onOff) }, scaled: { field: 'value', ...KiB } });
export const currentMemorySpec = textElem(uint, { scaled: { field: 'value', ...KiB } });
export const maxMemorySpec = textElem(uint, { attrs: { slots: attr(uint) }, scaled: { field: 'value', ...KiB } });

export const vcpuSpec = textElem(uint, {
  attrs: { placement: attr(oneOf('static', 'auto')), cpuset: attr(cpuset), current: attr(uint) },
});

export const vcpusSpec = elem({
  children: {
    vcpu: many(elem({ attrs: { id: req(uint), enabled: req(yesNo), hotpluggable: attr(yesNo), order: attr(uint) } })),
  },
});

export const iothreadidsSpec = elem({
  children: { iothread: many(elem({ attrs: { id: req(uint), thread_pool_min: attr(uint), thread_pool_max: attr(uint) } })) },
});

const schedAttrs = {
  scheduler: req(oneOf('batch', 'idle', 'fifo', 'rr')),
  priority: attr(int),
};

export const cputuneSpec = elem({
  children: {
    shares: one(text(uint)),
    period: one(text(uint)),
    quota: one(text(int)),
    global_period: one(text(uint)),
    global_quota: one(text(int)),
    emulator_period: one(text(uint)),
    emulator_quota: one(text(int)),
    iothread_period: one(text(uint)),
    iothread_quota: one(text(int)),
    vcpupin: many(elem({ attrs: { vcpu: req(uint), cpuset: req(cpuset) } })),
    emulatorpin: one(elem({ attrs: { cpuset: req(cpuset) } })),
    iothreadpin: many(elem({ attrs: { iothread: req(uint), cpuset: req(cpuset) } })),
    vcpusched: many(elem({ attrs: { vcpus: req(cpuset), ...schedAttrs } })),
    emulatorsched: one(elem({ attrs: schedAttrs })),
    iothreadsched: many(elem({ attrs: { iothreads: req(cpuset), ...schedAttrs } })),
  },
});

const numaModes = oneOf(...NUMA_MODES);
export const numatuneSpec = elem({
  children: {
    memory: one(elem({ attrs: { mode: attr(numaModes), nodeset: attr(cpuset), placement: attr(oneOf('static', 'auto')) } })),
    memnode: many(elem({ attrs: { cellid: req(uint), mode: req(numaModes), nodeset: req(cpuset) } })),
  },
});

export const memoryBackingSpec = elem({
  children: {
    hugepages: one(
      elem({
        children: {
          page: many(elem({ attrs: { size: req(uint), nodeset: attr(cpuset) }, scaled: { field: 'size', ...KiB } })),
        },
      }),
    ),
    nosharepages: one(elem({})),
    locked: one(elem({})),
    source: one(elem({ attrs: { type: req(oneOf('file', 'anonymous', 'memfd')) } })),
    access: one(elem({ attrs: { mode: req(oneOf('shared', 'private')) } })),
    allocation: one(elem({ attrs: { mode: attr(oneOf('immediate', 'ondemand')), threads: attr(uint) } })),
    discard: one(elem({})),
  },
});

const loaderSpec = textElem(str, {
  attrs: {
    readonly: attr(yesNo),
    secure: attr(yesNo),
    type: attr(oneOf('rom', 'pflash')),
    stateless: attr(yesNo),
    format: attr(oneOf('raw', 'qcow2')),
  },
});

export const osSpec = elem({
  attrs: { firmware: attr(oneOf('bios', 'efi')) },
  children: {
    type: one(textElem(oneOf('hvm'), { attrs: { arch: attr(oneOf('x86_64', 'i686')), machine: attr(token) } })),
    firmwareFeatures: one(elem({ children: { feature: many(elem({ attrs: { enabled: req(yesNo), name: req(token) } })) } }), 'firmware'),
    loader: one(loaderSpec),
    nvram: one(textElem(str, { attrs: { template: attr(str), format: attr(oneOf('raw', 'qcow2')) } })),
    kernel: one(text(token)),
    initrd: one(text(token)),
    cmdline: one(text(str)),
    dtb: one(text(token)),
    boot: many(elem({ attrs: { dev: req(oneOf('hd', 'cdrom', 'fd', 'network')) } })),
    bootmenu: one(elem({ attrs: { enable: req(yesNo), timeout: attr(uint) } })),
    smbios: one(elem({ attrs: { mode: req(oneOf('emulate', 'host', 'sysinfo')) } })),
    bios: one(elem({ attrs: { useserial: attr(yesNo), rebootTimeout: attr(int) } })),
  },
});

const stateOnOff = elem({ attrs: { state: attr(onOff) } });
const hypervSpec = elem({
  attrs: { mode: attr(oneOf('custom', 'passthrough')) },
  children: {
    relaxed: one(stateOnOff),
    vapic: one(stateOnOff),
    spinlocks: one(elem({ attrs: { state: req(onOff), retries: attr(uint) } })),
    vpindex: one(stateOnOff),
    runtime: one(stateOnOff),
    synic: one(stateOnOff),
    stimer: one(elem({ attrs: { state: req(onOff) }, children: { direct: one(elem({ attrs: { state: req(onOff) } })) } })),
    reset: one(stateOnOff),
    vendor_id: one(elem({ attrs: { state: req(onOff), value: attr(token) } })),
    frequencies: one(stateOnOff),
    reenlightenment: one(stateOnOff),
    tlbflush: one(stateOnOff),
    ipi: one(stateOnOff),
    evmcs: one(stateOnOff),
    avic: one(stateOnOff),
    emsr_bitmap: one(stateOnOff),
    xmm_input: one(stateOnOff),
  },
});

export const featuresSpec = elem({
  children: {
    pae: one(elem({})),
    acpi: one(elem({})),
    apic: one(elem({ attrs: { eoi: attr(onOff) } })),
    hap: one(stateOnOff),
    privnet: one(elem({})),
    hyperv: one(hypervSpec),
    kvm: one(
      elem({
        children: {
          hidden: one(stateOnOff),
          'hint-dedicated': one(stateOnOff),
          'poll-control': one(stateOnOff),
          'pv-ipi': one(stateOnOff),
          dirty_ring: one(elem({ attrs: { state: req(onOff), size: attr(uint) } })),
        },
      }),
    ),
    pvspinlock: one(stateOnOff),
    pmu: one(stateOnOff),
    vmport: one(stateOnOff),
    smm: one(elem({ attrs: { state: attr(onOff) }, children: { tseg: one(textElem(uint, { scaled: { field: 'value', out: 'KiB', default: 'MiB' } })) } })),
    ioapic: one(elem({ attrs: { driver: req(oneOf('kvm', 'qemu', 'split')) } })),
    vmcoreinfo: one(stateOnOff),
    htm: one(stateOnOff),
  },
});

export const cpuSpec = elem({
  attrs: {
    mode: attr(oneOf('custom', 'host-model', 'host-passthrough', 'maximum')),
    match: attr(oneOf('minimum', 'exact', 'strict')),
    check: attr(oneOf('none', 'partial', 'full')),
    migratable: attr(onOff),
  },
  children: {
    model: one(textElem(str, { attrs: { fallback: attr(oneOf('allow', 'forbid')), vendor_id: attr(token) } })),
    vendor: one(text(token)),
    topology: one(elem({ attrs: { sockets: req(uint), dies: attr(uint), clusters: attr(uint), cores: req(uint), threads: req(uint) } })),
    cache: one(elem({ attrs: { level: attr(uint), mode: req(oneOf('emulate', 'passthrough', 'disable')) } })),
    maxphysaddr: one(elem({ attrs: { mode: req(oneOf('emulate', 'passthrough')), bits: attr(uint), limit: attr(uint) } })),
    feature: many(elem({ attrs: { policy: req(oneOf('force', 'require', 'optional', 'disable', 'forbid')), name: req(token) } })),
    numa: one(
      elem({
        children: {
          cell: many(
            elem({
              attrs: {
                id: attr(uint),
                cpus: attr(cpuset),
                memory: req(uint),
                memAccess: attr(oneOf('shared', 'private')),
                discard: attr(yesNo),
              },
              scaled: { field: 'memory', out: 'KiB', default: 'KiB' },
              children: {
                distances: one(elem({ children: { sibling: many(elem({ attrs: { id: req(uint), value: req(uint) } })) } })),
              },
            }),
          ),
        },
      }),
    ),
  },
});

export const clockSpec = elem({
  attrs: {
    offset: attr(oneOf('utc', 'localtime', 'timezone', 'variable', 'absolute')),
    timezone: attr(token),
    adjustment: attr(str),
    basis: attr(oneOf('utc', 'localtime')),
    start: attr(uint),
  },
  children: {
    timer: many(
      elem({
        attrs: {
          name: req(oneOf('platform', 'pit', 'rtc', 'hpet', 'tsc', 'kvmclock', 'hypervclock', 'armvtimer')),
          track: attr(oneOf('boot', 'guest', 'wall', 'realtime')),
          tickpolicy: attr(oneOf('delay', 'catchup', 'merge', 'discard')),
          present: attr(yesNo),
          frequency: attr(uint),
          mode: attr(oneOf('auto', 'native', 'emulate', 'paravirt', 'smpsafe')),
        },
        children: { catchup: one(elem({ attrs: { threshold: attr(uint), slew: attr(uint), limit: attr(uint) } })) },
      }),
    ),
  },
});

export const pmSpec = elem({
  children: {
    'suspend-to-mem': one(elem({ attrs: { enabled: req(yesNo) } })),
    'suspend-to-disk': one(elem({ attrs: { enabled: req(yesNo) } })),
  },
});

const entry = textElem(str, { attrs: { name: attr(token) } });
const entries = elem({ children: { entry: many(entry) } });
export const sysinfoSpec = elem({
  attrs: { type: req(oneOf('smbios', 'fwcfg')) },
  children: {
    bios: one(entries),
    system: one(entries),
    baseBoard: many(entries),
    chassis: one(entries),
    oemStrings: one(entries),
    entry: many(textElem(str, { attrs: { name: req(token), file: attr(str) } })),
  },
});

export const lifecycleAction = oneOf('destroy', 'restart', 'preserve', 'rename-restart', 'coredump-destroy', 'coredump-restart');
