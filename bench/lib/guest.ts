/**
 * The one guest every column boots: tests/helpers/guest.ts's test guest (TCG,
 * 256 MiB, 1 vCPU, direct kernel boot), as a bare QEMU command line, as
 * virtkit domain XML and as libvirt domain XML.
 */
import type { TestGuest } from '../../tests/helpers/guest.js';
import { GUEST_APPEND } from '../../tests/helpers/guest.js';

export { GUEST_READY_MARKER } from '../../tests/helpers/guest.js';

export const QEMU = process.env['VIRTKIT_QEMU'] ?? 'qemu-system-x86_64';
export const MEMORY_MIB = 256;

const esc = (s: string): string => s.replace(/,/g, ',,');

/** Bare QEMU: the same machine, no -S, serial on stdout, QMP on a unix socket. */
export function bareArgv(g: TestGuest, qmpSocket: string): string[] {
  return [
    '-machine', 'pc', '-accel', 'tcg', '-m', String(MEMORY_MIB), '-smp', '1',
    '-nodefaults', '-no-user-config', '-display', 'none',
    '-chardev', 'stdio,id=ser0', '-serial', 'chardev:ser0',
    '-qmp', `unix:${esc(qmpSocket)},server=on,wait=off`,
    '-kernel', g.kernel, '-initrd', g.initrd, '-append', GUEST_APPEND,
  ];
}

const os = (g: TestGuest): string =>
  `<os><type arch='x86_64' machine='pc'>hvm</type><kernel>${g.kernel}</kernel><initrd>${g.initrd}</initrd>` +
  `<cmdline>${GUEST_APPEND}</cmdline></os>`;

/** No USB controller, no balloon (both columns): as close to the bare line as the defaults allow. */
const LEAN_DEVICES = "<controller type='usb' model='none'/>\n    <memballoon model='none'/>";

/** The domain both managers define; only the <devices> head (emulator, serial) differs. */
function domainXml(g: TestGuest, name: string, devicesHead: string): string {
  return `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>${MEMORY_MIB}</memory>
  <vcpu>1</vcpu>
  ${os(g)}
  <features><acpi/><apic/></features>
  <devices>
    ${devicesHead}
    ${LEAN_DEVICES}
  </devices>
</domain>
`;
}

/** virtkit: the serial console goes through the daemon (its console WebSocket). */
export function virtkitXml(g: TestGuest, name: string): string {
  return domainXml(g, name, "<serial type='pty'/>");
}

/**
 * libvirt: `virsh console` is interactive, so the first serial port is a unix
 * socket the bench connects to itself (QEMU listens, as virtkit's console
 * socket does).
 */
export function libvirtXml(g: TestGuest, name: string, serialSocket: string | undefined): string {
  const serial = serialSocket === undefined
    ? "<serial type='pty'/>"
    : `<serial type='unix'><source mode='bind' path='${serialSocket}'/></serial>`;
  const emulator = `<emulator>${QEMU.startsWith('/') ? QEMU : `/usr/bin/${QEMU}`}</emulator>`;
  return domainXml(g, name, `${emulator}\n    ${serial}`);
}
