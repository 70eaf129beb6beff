/**
 * libvirt's capabilities XML (virsh capabilities) for the QEMU driver, from
 * the host's topology (the <host> part is ./host-xml.ts) and the probed QEMU capabilities. Pure: the daemon
 * passes what it read and probed. Only what is known is written: the guest
 * gets domain type 'kvm' only when the KVM probe found it really runs guests.
 */
import type { QemuCaps } from '../caps.js';
import { escapeXmlAttr as xmlEscape } from '../../xml/tree.js';
import { decodeCpu, hostCpuOffer, namedCpuModels } from '../cpu-model/index.js';
import { hostXmlLines, type CapabilitiesHost, type HostCpuModel } from './host-xml.js';

export interface CapabilitiesInput {
  readonly host: CapabilitiesHost;
  readonly caps: QemuCaps;
  /** Whether KVM really runs guests here (src/host/qemu/kvm-probe.ts). */
  readonly kvmUsable: boolean;
  /** Absolute path of the QEMU binary. */
  readonly emulator: string;
}

function machines(caps: QemuCaps, indent: string): string[] {
  const out: string[] = [];
  for (const m of caps.machines) {
    if (m.name === 'none') continue;
    const dep = m.deprecated ? " deprecated='yes'" : '';
    out.push(`${indent}<machine maxCpus='${m.cpuMax}'${dep}>${xmlEscape(m.name)}</machine>`);
    if (m.alias !== undefined) out.push(`${indent}<machine canonical='${xmlEscape(m.name)}' maxCpus='${m.cpuMax}'${dep}>${xmlEscape(m.alias)}</machine>`);
  }
  return out;
}

/**
 * The host CPU as libvirt names it: its /proc/cpuinfo flags that QEMU knows as CPU features,
 * described as the QEMU model of its vendor with the fewest extra features that it fully has
 * (libvirt decodes the host CPU with its cpu_map; virtkit with QEMU's models, the same names).
 */
function hostCpuModel(host: CapabilitiesHost, caps: QemuCaps): HostCpuModel | undefined {
  const flags = host.cpuid?.flags;
  if (flags === undefined || host.arch !== 'x86_64') return undefined;
  const d = decodeCpu(hostCpuOffer(host.cpuid?.vendor, flags, caps), namedCpuModels(caps), { allowDisable: false });
  return d === undefined ? undefined : { model: d.model, features: d.require };
}

export function formatCapabilitiesXml(input: CapabilitiesInput): string {
  const { host, caps } = input;
  const domains = ["      <domain type='qemu'/>", ...(input.kvmUsable && caps.accelerators.includes('kvm') ? ["      <domain type='kvm'/>"] : [])];
  return [
    '<capabilities>',
    '',
    '  <host>',
    ...hostXmlLines(host, hostCpuModel(host, caps)),
    '    <secmodel>',
    '      <model>none</model>',
    '      <doi>0</doi>',
    '    </secmodel>',
    '  </host>',
    '',
    '  <guest>',
    '    <os_type>hvm</os_type>',
    "    <arch name='x86_64'>",
    '      <wordsize>64</wordsize>',
    `      <emulator>${xmlEscape(input.emulator)}</emulator>`,
    ...machines(caps, '      '),
    ...domains,
    '    </arch>',
    '    <features>',
    "      <acpi default='on' toggle='yes'/>",
    "      <apic default='on' toggle='no'/>",
    '      <cpuselection/>',
    '      <deviceboot/>',
    "      <disksnapshot default='on' toggle='no'/>",
    '    </features>',
    '  </guest>',
    '',
    '</capabilities>',
    '',
  ].join('\n');
}
