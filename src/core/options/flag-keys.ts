/**
 * The sub-option grammar of each virt-install flag that takes `key=value,...`: its positional key
 * (virt-install's `remove_first`), old key names (aliases), the keys it accepts and which of them may be
 * written bare (`readonly`, `uefi`). Keys are patterns: `[0-9]*` stands for an index (`numa.cell0.cpus`).
 *
 * The key lists come from virt-install 4.1's `virtinst/cli.py` (../shared/reference/virt-install-suboptions.txt),
 * restricted to what applies to a QEMU/KVM x86_64 host (no Xen, LXC, s390x or ARM keys); device flags
 * also take the keys every device parser of virt-install shares (`boot.order`, `address.*`, `alias.name`).
 */
import { CHAR_KEYS, DEVICE_COMMON, DEVICE_FLAG_KEYS } from './flag-keys-devices.js';

export interface FlagGrammar {
  /** The key a first item without `=` gets (`--disk /a.qcow2` -> path=/a.qcow2). */
  first?: string;
  /** Old names: [pattern of the old key, canonical replacement ($1... for indexes)]. */
  aliases?: Array<[RegExp, string]>;
  /** Accepted canonical keys (patterns). */
  keys: string[];
  /** Keys that may be written bare, meaning `on` (`readonly`, `uefi`). */
  bare?: string[];
  /** Another part validates the items (--cloud-init: cloud-init-options.ts): they pass through as written. */
  delegated?: true;
}

const idx = (pattern: string): RegExp => new RegExp(`^${pattern.replace(/\./g, '\\.').replace(/\[0-9\]\*/g, '([0-9]+)')}$`);

const words = (s: string): string[] => s.split(/\s+/).filter((w) => w !== '');

const CORE: Record<string, FlagGrammar> = {
  memory: { first: 'memory', keys: words('memory currentMemory maxMemory maxMemory.slots maxmemory hugepages'),
    aliases: [[/^hotplugmemorymax$/, 'maxMemory'], [/^hotplugmemoryslots$/, 'maxMemory.slots']], bare: ['hugepages'] },
  vcpus: { first: 'vcpus', keys: words('maxvcpus cpuset vcpus sockets dies cores threads vcpu.current vcpu.cpuset vcpu.placement ' +
    'vcpus.vcpu[0-9]*.id vcpus.vcpu[0-9]*.enabled vcpus.vcpu[0-9]*.hotpluggable vcpus.vcpu[0-9]*.order'),
    aliases: [[/^vcpu$/, 'vcpus'], [/^placement$/, 'vcpu.placement']] },
  cpu: { first: 'model', keys: words('model model.fallback model.vendor_id vendor mode match check migratable ' +
    'topology.sockets topology.dies topology.cores topology.threads cache.level cache.mode maxphysaddr.mode maxphysaddr.bits ' +
    'force require optional disable forbid secure policy smt ' +
    'numa.cell[0-9]*.id numa.cell[0-9]*.cpus numa.cell[0-9]*.memory numa.cell[0-9]*.unit numa.cell[0-9]*.memAccess ' +
    'numa.cell[0-9]*.discard numa.cell[0-9]*.distances.sibling[0-9]*.id numa.cell[0-9]*.distances.sibling[0-9]*.value'),
    // virt-install's older NUMA syntax: cellN.* is numa.cellN.*
    aliases: [[/^cell([0-9]+)\.(.+)$/, 'numa.cell$1.$2']] },
  cputune: { keys: words('shares period quota global_period global_quota emulator_period emulator_quota iothread_period ' +
    'iothread_quota vcpupin[0-9]*.vcpu vcpupin[0-9]*.cpuset emulatorpin.cpuset iothreadpin[0-9]*.iothread ' +
    'iothreadpin[0-9]*.cpuset emulatorsched.scheduler emulatorsched.priority vcpusched[0-9]*.vcpus ' +
    'vcpusched[0-9]*.scheduler vcpusched[0-9]*.priority') },
  numatune: { first: 'memory.nodeset', keys: words('memory.nodeset memory.mode memory.placement memnode[0-9]*.cellid ' +
    'memnode[0-9]*.mode memnode[0-9]*.nodeset'), aliases: [[/^nodeset$/, 'memory.nodeset'], [/^mode$/, 'memory.mode']] },
  memorybacking: { keys: words('hugepages hugepages.page[0-9]*.size hugepages.page[0-9]*.unit hugepages.page[0-9]*.nodeset ' +
    'nosharepages locked access.mode source.type discard allocation.mode allocation.threads'),
    bare: ['hugepages', 'nosharepages', 'locked', 'discard'], aliases: [[/^size$/, 'hugepages.page0.size']] },
  iothreads: { first: 'iothreads', keys: words('iothreads iothreadids.iothread[0-9]*.id ' +
    'iothreadids.iothread[0-9]*.thread_pool_min iothreadids.iothread[0-9]*.thread_pool_max ' +
    'defaultiothread.thread_pool_min defaultiothread.thread_pool_max') },
  boot: { keys: words('uefi secure-boot loader loader.readonly loader.type loader.secure loader.stateless firmware ' +
    'firmware.feature[0-9]*.enabled firmware.feature[0-9]*.name nvram nvram.template boot[0-9]*.dev ' +
    'bootmenu.enable bootmenu.timeout bios.useserial bios.rebootTimeout smbios.mode kernel initrd cmdline ' +
    'acpi.table acpi.table.type'),
    bare: ['uefi'],
    aliases: [[/^menu$/, 'bootmenu.enable'], [/^useserial$/, 'bios.useserial'], [/^kernel_args$/, 'cmdline'],
      [/^extra_args$/, 'cmdline'], [/^loader_ro$/, 'loader.readonly'], [/^loader_type$/, 'loader.type'],
      [/^loader_secure$/, 'loader.secure'], [/^nvram_template$/, 'nvram.template']] },
  features: { keys: words('acpi apic pae apic.eoi pmu.state hyperv.relaxed.state hyperv.vapic.state hyperv.spinlocks.state ' +
    'hyperv.spinlocks.retries hyperv.vpindex.state hyperv.runtime.state hyperv.synic.state hyperv.stimer.state ' +
    'hyperv.stimer.direct.state hyperv.reset.state hyperv.frequencies.state hyperv.reenlightenment.state ' +
    'hyperv.tlbflush.state hyperv.ipi.state hyperv.evmcs.state vmport.state kvm.hidden.state ' +
    'kvm.hint-dedicated.state kvm.poll-control.state pvspinlock.state smm.state vmcoreinfo.state ioapic.driver msrs.unknown'),
    bare: ['acpi', 'apic', 'pae'],
    aliases: [[/^vmport$/, 'vmport.state'], [/^smm$/, 'smm.state'], [/^kvm_hidden$/, 'kvm.hidden.state'],
      [/^pmu$/, 'pmu.state'], [/^eoi$/, 'apic.eoi'], [/^hyperv_relaxed$/, 'hyperv.relaxed.state'],
      [/^hyperv_vapic$/, 'hyperv.vapic.state'], [/^hyperv_spinlocks$/, 'hyperv.spinlocks.state'],
      [/^hyperv_spinlocks_retries$/, 'hyperv.spinlocks.retries'], [/^vmcoreinfo$/, 'vmcoreinfo.state']] },
  clock: { keys: words('pit_tickpolicy rtc_tickpolicy platform_present pit_present rtc_present hpet_present tsc_present ' +
    'kvmclock_present hypervclock_present offset timer[0-9]*.name timer[0-9]*.present timer[0-9]*.tickpolicy timer[0-9]*.track ' +
    'timer[0-9]*.mode timer[0-9]*.frequency timer[0-9]*.catchup.threshold timer[0-9]*.catchup.slew timer[0-9]*.catchup.limit') },
  events: { keys: words('on_poweroff on_reboot on_crash on_lockfailure') },
  metadata: { keys: words('name title uuid genid genid_enable description os_name os_full_id') },
  sysinfo: { first: 'type', keys: words('type bios.vendor bios.version bios.date bios.release system.manufacturer ' +
    'system.product system.version system.serial system.uuid system.sku system.family baseBoard.manufacturer ' +
    'baseBoard.product baseBoard.version baseBoard.serial baseBoard.asset baseBoard.location chassis.manufacturer ' +
    'chassis.version chassis.serial chassis.asset chassis.sku oemStrings.entry[0-9]*') },
  osinfo: { first: 'name', keys: words('name short-id id detect require'), bare: ['detect', 'require'] },
  location: { first: 'location', keys: words('location kernel initrd') },
  'cloud-init': { keys: words('root-password-generate root-password-file disable root-ssh-key clouduser-ssh-key ' +
    'user-data meta-data network-config'), delegated: true },
  check: { keys: words('path_in_use disk_size path_exists mac_in_use all') },
};

/** Every flag that takes sub-options, with its grammar. */
export const FLAG_GRAMMAR: Record<string, FlagGrammar> = { ...CORE, ...DEVICE_FLAG_KEYS };

/** True when `key` (canonical) is one of the flag's keys, index patterns included. */
export function isValidKey(g: FlagGrammar, key: string): boolean {
  return g.keys.some((k) => (k.includes('[0-9]*') ? idx(k).test(key) : k === key));
}

/** The canonical name of `key`: aliases resolved (`cell0.cpus` -> `numa.cell0.cpus`). */
export function canonicalKey(g: FlagGrammar, key: string): string {
  for (const [re, to] of g.aliases ?? []) if (re.test(key)) return key.replace(re, to);
  return key;
}

export { CHAR_KEYS, DEVICE_COMMON };
