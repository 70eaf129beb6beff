/**
 * The fixed parts of libvirt's command line: name, -S, master key, -machine,
 * -accel, -uuid, -display, monitor, -rtc, lifecycle and power management
 * globals, -boot, and the tail (-sandbox, -msg).
 */
import { VirtkitError } from '../../errors.js';
import { unsupported } from './caps-view.js';
import type { BuildCtx } from './context.js';
import { push, refuse } from './context.js';
import { jsonOpt, keyval } from './escape.js';
import type { OptPair } from './escape.js';
import type { SocketSpec } from './types.js';

export function buildName(ctx: BuildCtx): void {
  push(ctx, '-name', keyval(undefined, [['guest', ctx.def.name], ['debug-threads', true]]));
  push(ctx, '-S');
  if (ctx.paths.masterKeyPath !== undefined) {
    push(ctx, '-object', jsonOpt({ 'qom-type': 'secret', id: 'masterKey0', format: 'raw', file: ctx.paths.masterKeyPath }));
  }
}

export function machineType(ctx: BuildCtx): string {
  const m = ctx.def.os?.type?.machine;
  if (m === undefined) throw new VirtkitError('XML_MISSING', '/domain/os/type/@machine: no machine type (prepareDomain fills the default)');
  return m;
}

export function buildMachine(ctx: BuildCtx, hasNuma: boolean): void {
  const def = ctx.def;
  const m = machineType(ctx);
  if (!ctx.caps.hasMachine(m)) throw unsupported(`/domain/os/type/@machine: machine type '${m}'`, ctx.caps);
  const f = def.features;
  const pairs: OptPair[] = [['usb', false]];
  if (f?.vmport?.state !== undefined) pairs.push(['vmport', f.vmport.state]);
  if (f?.smm !== undefined) {
    if (!ctx.q35) throw refuse('/domain/features/smm', 'SMM is only available on q35 machines');
    pairs.push(['smm', f.smm.state ?? true]);
  }
  pairs.push(['dump-guest-core', def.memory?.dumpCore ?? false]);
  if (def.memoryBacking?.nosharepages) pairs.push(['mem-merge', false]);
  if (!hasNuma) pairs.push(['memory-backend', 'pc.ram']);
  if (f?.ioapic?.driver !== undefined && ctx.q35) pairs.push(['kernel_irqchip', f.ioapic.driver === 'split' ? 'split' : 'on']);
  const hpet = def.clock?.timer?.find((t) => t.name === 'hpet');
  if (hpet?.present !== undefined) pairs.push(['hpet', hpet.present]);
  pairs.push(['acpi', f?.acpi !== undefined]);
  push(ctx, '-machine', keyval(m, pairs));

  const accel = def.type === 'kvm' ? 'kvm' : 'tcg';
  if (!ctx.caps.hasAccel(accel)) throw unsupported(`<domain type='${def.type}'> needs the '${accel}' accelerator`, ctx.caps);
  push(ctx, '-accel', accel);
}

export function buildUuid(ctx: BuildCtx): void {
  const u = ctx.def.uuid;
  if (u === undefined) throw new VirtkitError('XML_MISSING', '/domain/uuid: no UUID (prepareDomain generates one)');
  push(ctx, '-uuid', u);
}

export function socketChardev(id: string, s: SocketSpec, server: boolean): string {
  const where: OptPair = 'path' in s ? ['path', s.path] : ['fd', String(s.fd)];
  return keyval('socket', [['id', id], where, ...(server ? ([['server', true], ['wait', false]] as OptPair[]) : [])]);
}

export function buildDisplayAndMonitor(ctx: BuildCtx): void {
  if ((ctx.devices.graphics ?? []).length === 0) push(ctx, '-display', 'none');
  push(ctx, '-no-user-config', '-nodefaults');
  push(ctx, '-chardev', socketChardev('charmonitor', ctx.paths.monitor, true));
  push(ctx, '-mon', 'chardev=charmonitor,id=monitor,mode=control');
}

export function buildClock(ctx: BuildCtx): void {
  const c = ctx.def.clock;
  let base: string;
  switch (c?.offset ?? 'utc') {
    case 'utc':
      base = 'utc';
      break;
    case 'localtime':
      base = 'localtime';
      break;
    case 'absolute':
      base = new Date((c?.start ?? 0) * 1000).toISOString().slice(0, 19);
      break;
    default:
      throw refuse('/domain/clock/@offset', `offset '${c?.offset}' needs the current time at start; virtkit supports utc, localtime and absolute`);
  }
  const pairs: OptPair[] = [['base', base]];
  for (const t of c?.timer ?? []) {
    if (t.name === 'rtc' && t.tickpolicy !== undefined) {
      if (t.tickpolicy !== 'catchup' && t.tickpolicy !== 'delay') throw refuse('/domain/clock/timer[@name=rtc]/@tickpolicy', `'${t.tickpolicy}' is not supported`);
      if (t.tickpolicy === 'catchup') pairs.push(['driftfix', 'slew']);
    }
  }
  push(ctx, '-rtc', keyval(undefined, pairs));
  for (const t of c?.timer ?? []) {
    if (t.name === 'pit' && t.tickpolicy !== undefined) {
      const map: Record<string, string> = { delay: 'delay', catchup: 'slew', discard: 'discard' };
      const p = map[t.tickpolicy];
      if (p === undefined) throw refuse('/domain/clock/timer[@name=pit]/@tickpolicy', `'${t.tickpolicy}' is not supported`);
      push(ctx, '-global', `kvm-pit.lost_tick_policy=${p}`);
    }
  }
}

export function buildLifecycleAndPm(ctx: BuildCtx): void {
  const def = ctx.def;
  // libvirt lets QEMU reboot itself unless every way out is 'destroy'.
  const noReboot = def.on_reboot === 'destroy' && (def.on_poweroff ?? 'destroy') === 'destroy';
  push(ctx, noReboot ? '-no-reboot' : '-no-shutdown');
  const pm = def.pm;
  const dev = ctx.q35 ? 'ICH9-LPC' : 'PIIX4_PM';
  const s3 = pm?.['suspend-to-mem']?.enabled;
  const s4 = pm?.['suspend-to-disk']?.enabled;
  if (s3 !== undefined) push(ctx, '-global', `${dev}.disable_s3=${s3 ? 0 : 1}`);
  if (s4 !== undefined) push(ctx, '-global', `${dev}.disable_s4=${s4 ? 0 : 1}`);
}

export function buildBoot(ctx: BuildCtx): void {
  const os = ctx.def.os;
  const pairs: OptPair[] = [];
  if (os?.bootmenu?.enable) {
    pairs.push(['menu', true]);
    if (os.bootmenu.timeout !== undefined) pairs.push(['splash-time', os.bootmenu.timeout]);
  }
  if (os?.bios?.rebootTimeout !== undefined) pairs.push(['reboot-timeout', os.bios.rebootTimeout]);
  pairs.push(['strict', true]);
  push(ctx, '-boot', keyval(undefined, pairs));
  if (os?.kernel !== undefined) push(ctx, '-kernel', os.kernel);
  if (os?.initrd !== undefined) push(ctx, '-initrd', os.initrd);
  if (os?.cmdline !== undefined) push(ctx, '-append', os.cmdline);
  if (os?.dtb !== undefined) push(ctx, '-dtb', os.dtb);
}

/** Firmware: a ROM image is -bios; pflash (UEFI with NVRAM) is not translated yet and is refused. */
export function buildLoader(ctx: BuildCtx): void {
  const l = ctx.def.os?.loader;
  if (l === undefined) {
    if (ctx.def.os?.firmware === 'efi') throw refuse('/domain/os/@firmware', "firmware='efi' needs firmware descriptor lookup, which virtkit does not do yet; give <loader type='rom'>");
    return;
  }
  if (l.type === 'pflash') throw refuse('/domain/os/loader/@type', "pflash firmware is not supported yet; use type='rom'");
  push(ctx, '-bios', l.value);
}

export function buildTail(ctx: BuildCtx): void {
  push(ctx, '-sandbox', 'on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny');
  push(ctx, '-msg', 'timestamp=on');
}
