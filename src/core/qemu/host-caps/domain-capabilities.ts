/**
 * libvirt's domainCapabilities XML (virsh domcapabilities) for one QEMU
 * binary, machine and domain type, generated from the probed QemuCaps: a
 * value is listed only when this QEMU has the device, object or command it
 * needs AND virtkit's command-line builder (src/core/qemu/argv) translates it.
 * Tools such as virt-install write what this lists, so a value the builder
 * refuses (UEFI/pflash firmware, spice, TPM, file memory backing, SCSI host
 * devices, the egd RNG backend) is not listed until it is supported.
 */
import { VirtkitError } from '../../errors.js';
import type { QemuCaps } from '../caps.js';
import { defaultMachine, findMachine, hasDevice, hasObject, hasQmpCommand } from '../caps.js';
import { escapeXmlAttr as xmlEscape } from '../../xml/tree.js';
import { cpuModelUsable, hostModelCpu } from '../cpu-model/index.js';

export interface DomainCapsInput {
  readonly caps: QemuCaps;
  readonly emulator: string;
  readonly kvmUsable: boolean;
  /** Why KVM cannot be used, for the error when virttype='kvm' is asked for. */
  readonly kvmReason?: string;
  readonly arch?: string | undefined;
  readonly machine?: string | undefined;
  readonly virttype?: string | undefined;
}

function enumOf(name: string, values: readonly string[], indent: string): string[] {
  if (values.length === 0) return [`${indent}<enum name='${name}'/>`];
  return [`${indent}<enum name='${name}'>`, ...values.map((v) => `${indent}  <value>${xmlEscape(v)}</value>`), `${indent}</enum>`];
}

/** The values of `table` whose QEMU device (any of them) exists. */
function present(caps: QemuCaps, table: readonly (readonly [string, readonly string[]])[]): string[] {
  return table.filter(([, devs]) => devs.length === 0 || devs.some((d) => hasDevice(caps, d))).map(([v]) => v);
}

const DISK_BUSES = [
  ['ide', ['ide-hd']], ['fdc', ['isa-fdc']], ['scsi', ['scsi-hd']], ['virtio', ['virtio-blk-pci']],
  ['usb', ['usb-storage']], ['sata', ['ich9-ahci']],
] as const;
const VIDEO = [
  ['vga', ['VGA']], ['cirrus', ['cirrus-vga']], ['vmvga', ['vmware-svga']], ['qxl', ['qxl-vga']],
  ['virtio', ['virtio-vga', 'virtio-gpu-pci']], ['none', []], ['bochs', ['bochs-display']], ['ramfb', ['ramfb']],
] as const;
// SCSI host devices (scsi-generic) are refused by the builder.
const HOSTDEV = [['usb', ['usb-host']], ['pci', ['vfio-pci']]] as const;
const RNG_MODELS = [
  ['virtio', ['virtio-rng-pci']], ['virtio-transitional', ['virtio-rng-pci-transitional']],
  ['virtio-non-transitional', ['virtio-rng-pci-non-transitional']],
] as const;

function resolveQuery(input: DomainCapsInput): { virttype: string; machine: string; maxCpus: number } {
  const arch = input.arch ?? 'x86_64';
  if (arch !== 'x86_64') {
    throw new VirtkitError('INVALID_ARGUMENT', `virtkit runs x86_64 guests only; no emulator for architecture '${arch}'`);
  }
  const virttype = input.virttype ?? (input.kvmUsable ? 'kvm' : 'qemu');
  if (virttype !== 'qemu' && virttype !== 'kvm') {
    throw new VirtkitError('INVALID_ARGUMENT', `unknown virttype '${virttype}': use 'qemu' or 'kvm'`);
  }
  // KVM's CPU data (the caps' kvm part: /dev/kvm opened, QEMU answered under KVM) describe what it
  // offers even where the KVM test guest fails (kvm-probe.ts); starting a type='kvm' domain still needs it to pass.
  if (virttype === 'kvm' && !input.kvmUsable && input.caps.kvm === undefined) {
    throw new VirtkitError('OPERATION_INVALID', `KVM is not usable with '${input.emulator}' on this host` +
      `${input.kvmReason === undefined ? '' : `: ${input.kvmReason}`}; use virttype 'qemu'`);
  }
  const m = input.machine === undefined ? defaultMachine(input.caps) : findMachine(input.caps, input.machine);
  if (m === undefined) {
    throw new VirtkitError('INVALID_ARGUMENT', `the machine '${input.machine ?? '(default)'}' is not supported by emulator '${input.emulator}'`);
  }
  return { virttype, machine: m.name, maxCpus: m.cpuMax };
}

/**
 * host-model as libvirt lists it: the closest named model of what the accelerator offers, its
 * vendor, and the features to add (require) and take away (disable), each sorted by name.
 * Under KVM from 'host' as QEMU expands it under KVM; not supported when that is unknown (no KVM probe).
 */
function hostModelLines(caps: QemuCaps, virttype: string): string[] {
  const hm = hostModelCpu(caps, virttype);
  if (hm === undefined) return ["    <mode name='host-model' supported='no'/>"];
  return [
    "    <mode name='host-model' supported='yes'>",
    `      <model fallback='forbid'>${xmlEscape(hm.model)}</model>`,
    ...(hm.vendor === undefined ? [] : [`      <vendor>${xmlEscape(hm.vendor)}</vendor>`]),
    ...hm.require.map((f) => `      <feature policy='require' name='${xmlEscape(f)}'/>`),
    ...hm.disable.map((f) => `      <feature policy='disable' name='${xmlEscape(f)}'/>`),
    '    </mode>',
  ];
}

export function formatDomainCapabilitiesXml(input: DomainCapsInput): string {
  const { caps } = input;
  const q = resolveQuery(input);
  const kvm = q.virttype === 'kvm';
  // q35 has no IDE bus and no built-in floppy controller; the builder refuses both there.
  const q35 = q.machine.startsWith('pc-q35') || q.machine === 'q35';
  const diskBuses = present(caps, DISK_BUSES).filter((b) => !(q35 && (b === 'ide' || b === 'fdc')));
  const yes = (b: boolean): string => (b ? 'yes' : 'no');
  const models = caps.cpuModels.map((c) => {
    const ok = cpuModelUsable(caps, c, q.virttype);
    const usable = ok === undefined ? 'unknown' : ok ? 'yes' : 'no';
    const dep = c.deprecated ? " deprecated='yes'" : '';
    return `      <model usable='${usable}'${dep}>${xmlEscape(c.name)}</model>`;
  });
  // spice and sdl are refused by the builder.
  const graphics = hasQmpCommand(caps, 'query-vnc') ? ['vnc'] : [];
  // <source type='file'> needs a memory backing dir virtkit does not provide yet (hugepages use memory-backend-file).
  const backing = [
    ...(hasObject(caps, 'memory-backend-ram') ? ['anonymous'] : []),
    ...(hasObject(caps, 'memory-backend-memfd') ? ['memfd'] : []),
  ];
  const rngBackends = [
    ...(hasObject(caps, 'rng-random') ? ['random'] : []),
    ...(hasObject(caps, 'rng-builtin') ? ['builtin'] : []),
  ];
  const hostdevTypes = present(caps, HOSTDEV);
  return [
    '<domainCapabilities>',
    `  <path>${xmlEscape(input.emulator)}</path>`,
    `  <domain>${q.virttype}</domain>`,
    `  <machine>${xmlEscape(q.machine)}</machine>`,
    '  <arch>x86_64</arch>',
    `  <vcpu max='${q.maxCpus}'/>`,
    `  <iothreads supported='${yes(hasObject(caps, 'iothread'))}'/>`,
    "  <os supported='yes'>",
    // firmware='efi' (descriptor lookup) and pflash loaders are refused by the builder: a ROM image (-bios) only.
    ...enumOf('firmware', [], '    '),
    "    <loader supported='yes'>",
    ...enumOf('type', ['rom'], '      '),
    ...enumOf('readonly', ['yes'], '      '),
    ...enumOf('secure', ['no'], '      '),
    '    </loader>',
    '  </os>',
    '  <cpu>',
    // -cpu host needs KVM: under TCG only 'maximum' gives every feature TCG has.
    `    <mode name='host-passthrough' supported='${yes(kvm)}'/>`,
    `    <mode name='maximum' supported='yes'/>`,
    ...hostModelLines(caps, q.virttype),
    "    <mode name='custom' supported='yes'>",
    ...models,
    '    </mode>',
    '  </cpu>',
    `  <memoryBacking supported='${yes(backing.length > 0)}'>`,
    ...enumOf('sourceType', backing, '    '),
    '  </memoryBacking>',
    '  <devices>',
    "    <disk supported='yes'>",
    ...enumOf('diskDevice', q35 ? ['disk', 'cdrom', 'lun'] : ['disk', 'cdrom', 'floppy', 'lun'], '      '),
    ...enumOf('bus', diskBuses, '      '),
    ...enumOf('model', present(caps, [['virtio', ['virtio-blk-pci']], ['virtio-transitional', ['virtio-blk-pci-transitional']], ['virtio-non-transitional', ['virtio-blk-pci-non-transitional']]]), '      '),
    '    </disk>',
    `    <graphics supported='${yes(graphics.length > 0)}'>`,
    ...enumOf('type', graphics, '      '),
    '    </graphics>',
    "    <video supported='yes'>",
    ...enumOf('modelType', present(caps, VIDEO), '      '),
    '    </video>',
    `    <hostdev supported='${yes(hostdevTypes.length > 0)}'>`,
    ...enumOf('mode', ['subsystem'], '      '),
    ...enumOf('startupPolicy', ['default', 'mandatory', 'requisite', 'optional'], '      '),
    ...enumOf('subsysType', hostdevTypes, '      '),
    ...enumOf('capsType', [], '      '),
    ...enumOf('pciBackend', hasDevice(caps, 'vfio-pci') ? ['default', 'vfio'] : [], '      '),
    '    </hostdev>',
    `    <rng supported='${yes(rngBackends.length > 0)}'>`,
    ...enumOf('model', present(caps, RNG_MODELS), '      '),
    ...enumOf('backendModel', rngBackends, '      '),
    '    </rng>',
    // <tpm> is refused by the builder.
    "    <tpm supported='no'/>",
    '  </devices>',
    '  <features>',
    "    <gic supported='no'/>",
    `    <vmcoreinfo supported='${yes(hasDevice(caps, 'vmcoreinfo'))}'/>`,
    `    <genid supported='${yes(hasDevice(caps, 'vmgenid'))}'/>`,
    "    <sev supported='no'/>",
    '  </features>',
    '</domainCapabilities>',
    '',
  ].join('\n');
}
