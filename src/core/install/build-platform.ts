/**
 * The platform parts: machine and firmware (<os>), <features>, <clock>, <on_*> events, <pm>, --sysinfo and
 * --metadata, with virt-install's defaults for x86_64 (acpi+apic, rtc/pit/hpet timers, no suspend; Hyper-V
 * enlightenments and a localtime clock for Windows; vmport off with spice).
 */
import { placementMetadata } from './build-cpu.js';
import { VirtkitError } from '../errors.js';
import { Opts, has, last, raw, uses } from './build-args.js';
import type { DraftOs } from './draft.js';
import { isWindows, supportsQ35 } from './os-support.js';
import type { HostFacts, InstallArgs, OsInfo } from './types.js';
import { el, type XNode } from './xml-out.js';

/** The machine type: --machine as given; else q35 when the OS supports it, else the expanded `pc` alias (as virt-install). */
export function machineType(args: InstallArgs, os: OsInfo, host: HostFacts): string {
  const m = raw(args, 'machine');
  if (m !== undefined) {
    if (!host.machines.includes(m) && host.machineAliases[m] === undefined) {
      throw new VirtkitError('INVALID_ARGUMENT', `--machine ${m}: the emulator has no such machine type (it has ${host.machines.join(', ')})`, { details: { flag: 'machine', machine: m } });
    }
    return m;
  }
  return supportsQ35(os) ? 'q35' : (host.machineAliases['pc'] ?? 'pc');
}

export const isQ35 = (machine: string, host: HostFacts): boolean => /q35/.test(host.machineAliases[machine] ?? machine);

export function draftOs(args: InstallArgs, machine: string, host: HostFacts): DraftOs {
  const b = last(args, 'boot');
  const devs = [...b.indexed(/^boot([0-9]+)\.(dev)$/).values()].map((m) => m.get('dev') ?? '');
  const uefi = b.bool('uefi') === true || b.get('firmware') === 'efi';
  const extra: XNode[] = [];
  const loader = b.get('loader');
  if (loader !== undefined) extra.push(el('loader', { readonly: b.get('loader.readonly'), type: b.get('loader.type'), secure: b.get('loader.secure') }, loader));
  const nvram = b.get('nvram');
  if (nvram !== undefined || b.has('nvram.template')) extra.push(el('nvram', { template: b.get('nvram.template') }, nvram ?? ''));
  if (b.has('bootmenu.enable')) extra.push(el('bootmenu', { enable: b.bool('bootmenu.enable') ? 'yes' : 'no', timeout: b.get('bootmenu.timeout') }));
  if (b.has('bios.useserial') || b.has('bios.rebootTimeout')) {
    extra.push(el('bios', { useserial: b.has('bios.useserial') ? (b.bool('bios.useserial') ? 'yes' : 'no') : undefined, rebootTimeout: b.get('bios.rebootTimeout') }));
  }
  const kernel = b.get('kernel');
  return {
    arch: raw(args, 'arch') ?? host.arch,
    machine,
    firmware: uefi ? 'efi' : (b.get('firmware') ?? null),
    extra,
    bootDevs: devs,
    kernel: kernel !== undefined || b.has('initrd') || b.has('cmdline')
      ? { kernel: kernel ?? null, initrd: b.get('initrd') ?? null, cmdline: b.get('cmdline') ?? null } : null,
    smbios: b.get('smbios.mode') ?? sysinfoMode(args),
  };
}

const HYPERV = ['relaxed', 'vapic', 'spinlocks', 'vpindex', 'runtime', 'synic', 'stimer', 'reset', 'frequencies', 'reenlightenment', 'tlbflush', 'ipi', 'evmcs'];

export function featuresElement(args: InstallArgs, os: OsInfo, graphics: string | null): XNode {
  const f = last(args, 'features');
  const kids: XNode[] = [];
  for (const k of ['acpi', 'apic', 'pae']) {
    const v = f.bool(k);
    if (v ?? k !== 'pae') kids.push(el(k, k === 'apic' ? { eoi: f.has('apic.eoi') ? onOff(f, 'apic.eoi') : undefined } : {}));
  }
  const hv = new Map<string, Record<string, string | undefined>>();
  if (isWindows(os)) {
    hv.set('relaxed', { state: 'on' });
    hv.set('vapic', { state: 'on' });
    hv.set('spinlocks', { state: 'on', retries: '8191' });
  }
  for (const name of HYPERV) {
    const st = f.get(`hyperv.${name}.state`);
    if (st !== undefined) hv.set(name, { ...hv.get(name), state: onOff(f, `hyperv.${name}.state`) });
  }
  if (f.has('hyperv.spinlocks.retries')) hv.set('spinlocks', { ...hv.get('spinlocks'), retries: f.get('hyperv.spinlocks.retries') });
  if (hv.size > 0) kids.push(el('hyperv', {}, HYPERV.filter((n) => hv.has(n)).map((n) => el(n, hv.get(n) ?? {}))));
  const kvm = ['hidden', 'hint-dedicated', 'poll-control'].filter((n) => f.has(`kvm.${n}.state`));
  if (kvm.length > 0) kids.push(el('kvm', {}, kvm.map((n) => el(n, { state: onOff(f, `kvm.${n}.state`) }))));
  if (f.has('pvspinlock.state')) kids.push(el('pvspinlock', { state: onOff(f, 'pvspinlock.state') }));
  if (f.has('pmu.state')) kids.push(el('pmu', { state: onOff(f, 'pmu.state') }));
  if (f.has('vmport.state')) kids.push(el('vmport', { state: onOff(f, 'vmport.state') }));
  else if (graphics === 'spice') kids.push(el('vmport', { state: 'off' }));
  if (f.has('smm.state')) kids.push(el('smm', { state: onOff(f, 'smm.state') }));
  if (f.has('vmcoreinfo.state')) kids.push(el('vmcoreinfo', { state: onOff(f, 'vmcoreinfo.state') }));
  if (f.has('ioapic.driver')) kids.push(el('ioapic', { driver: f.get('ioapic.driver') }));
  if (f.has('msrs.unknown')) kids.push(el('msrs', { unknown: f.get('msrs.unknown') }));
  return el('features', {}, kids);
}

const onOff = (o: Opts, key: string): string => (o.bool(key) ? 'on' : 'off');

export function clockElement(args: InstallArgs, os: OsInfo): XNode {
  const c = last(args, 'clock');
  const timers = new Map<string, Record<string, string | undefined>>([
    ['rtc', { tickpolicy: 'catchup' }], ['pit', { tickpolicy: 'delay' }], ['hpet', { present: 'no' }],
  ]);
  if (isWindows(os)) timers.set('hypervclock', { present: 'yes' });
  for (const name of ['platform', 'pit', 'rtc', 'hpet', 'tsc', 'kvmclock', 'hypervclock']) {
    if (c.has(`${name}_present`)) timers.set(name, { ...timers.get(name), present: c.bool(`${name}_present`) ? 'yes' : 'no' });
    if (c.has(`${name}_tickpolicy`)) timers.set(name, { ...timers.get(name), tickpolicy: c.get(`${name}_tickpolicy`) });
  }
  for (const t of c.indexed(/^timer([0-9]+)\.(.+)$/).values()) {
    const name = t.get('name');
    if (name === undefined) throw new VirtkitError('INVALID_ARGUMENT', '--clock: every timerN needs timerN.name', { details: { flag: 'clock' } });
    timers.set(name, { ...timers.get(name), present: t.get('present'), tickpolicy: t.get('tickpolicy'), track: t.get('track'), mode: t.get('mode'), frequency: t.get('frequency') });
  }
  const offset = c.get('offset') ?? (isWindows(os) ? 'localtime' : 'utc');
  return el('clock', { offset }, [...timers].map(([name, a]) => el('timer', { name, ...a })));
}

export function eventElements(args: InstallArgs): XNode[] {
  const e = last(args, 'events');
  return ['on_poweroff', 'on_reboot', 'on_crash', 'on_lockfailure'].flatMap((k) => {
    const v = e.get(k);
    return v === undefined ? [] : [el(k, {}, v)];
  });
}

export const pmElement = (): XNode => el('pm', {}, [el('suspend-to-mem', { enabled: 'no' }), el('suspend-to-disk', { enabled: 'no' })]);

/** --sysinfo's type as <smbios mode=>: smbios data is `sysinfo`; `host` and `emulate` are modes of their own. */
function sysinfoMode(args: InstallArgs): string | null {
  if (!has(args, 'sysinfo')) return null;
  const t = last(args, 'sysinfo').get('type') ?? 'smbios';
  if (t === 'smbios') return 'sysinfo';
  if (t === 'host' || t === 'emulate') return t;
  throw new VirtkitError('INVALID_ARGUMENT', `--sysinfo type=${t}: one of smbios, host, emulate`, { details: { flag: 'sysinfo' } });
}

const SYSINFO_GROUPS = ['bios', 'system', 'baseBoard', 'chassis'];

/** --sysinfo type=smbios,system.serial=... -> <sysinfo>; `host`/`emulate` only set <smbios mode=>. */
export function sysinfoElement(args: InstallArgs, extraSystem: Array<[string, string]> = []): XNode | null {
  const mode = sysinfoMode(args);
  if (mode !== 'sysinfo' && extraSystem.length === 0) return null;
  const s = last(args, 'sysinfo');
  const kids: XNode[] = [];
  for (const g of SYSINFO_GROUPS) {
    const entries = Opts.all(uses(args, 'sysinfo').at(-1)).filter(([k]) => k.startsWith(`${g}.`)).map(([k, v]) => {
      s.touch(k);
      return el('entry', { name: k.slice(g.length + 1) }, v ?? '');
    });
    if (g === 'system') entries.push(...extraSystem.map(([k, v]) => el('entry', { name: k }, v)));
    if (entries.length > 0) kids.push(el(g, {}, entries));
  }
  const oem = [...s.indexed(/^oemStrings\.entry([0-9]+)()$/).values()].map((m) => el('entry', {}, m.get('') ?? ''));
  if (oem.length > 0) kids.push(el('oemStrings', {}, oem));
  return el('sysinfo', { type: 'smbios' }, kids);
}

/** <title>, <description> and the libosinfo <metadata> virt-install writes (before <memory>). */
export function metadataElements(args: InstallArgs, osId: string | null): XNode[] {
  const m = last(args, 'metadata');
  const out: XNode[] = [];
  if (m.has('genid')) out.push(el('genid', {}, m.get('genid') ?? ''));
  if (m.has('title')) out.push(el('title', {}, m.get('title') ?? ''));
  if (m.has('description')) out.push(el('description', {}, m.get('description') ?? ''));
  const id = m.get('os_full_id') ?? osId;
  const kids: XNode[] = [];
  if (id !== null) kids.push(el('libosinfo:libosinfo', { 'xmlns:libosinfo': 'http://libosinfo.org/xmlns/libvirt/domain/1.0' }, [el('libosinfo:os', { id })]));
  const placement = placementMetadata(args);
  if (placement !== null) kids.push(placement);
  if (kids.length > 0) out.push(el('metadata', {}, kids));
  return out;
}
