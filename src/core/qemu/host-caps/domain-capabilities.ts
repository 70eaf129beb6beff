/**
 * libvirt's domainCapabilities XML (virsh domcapabilities) for one QEMU
 * binary, machine and domain type, generated from the probed QemuCaps: a
 * value is listed only when this QEMU has the device, object or command it
 * needs. Pure; firmware files found on the host come in as `loaders`.
 */
import { VirtkitError } from '../../errors.js';
import type { QemuCaps } from '../caps.js';
import { defaultMachine, findMachine, hasDevice, hasObject, hasQmpCommand } from '../caps.js';
import { escapeXmlAttr as xmlEscape } from '../../xml/tree.js';

export interface DomainCapsInput {
  readonly caps: QemuCaps;
  readonly emulator: string;
  readonly kvmUsable: boolean;
  /** Why KVM cannot be used, for the error when virttype='kvm' is asked for. */
  readonly kvmReason?: string;
  /** UEFI code files present on the host. */
  readonly loaders: readonly string[];
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
const HOSTDEV = [['usb', ['usb-host']], ['pci', ['vfio-pci']], ['scsi', ['scsi-generic']]] as const;
const RNG_MODELS = [
  ['virtio', ['virtio-rng-pci']], ['virtio-transitional', ['virtio-rng-pci-transitional']],
  ['virtio-non-transitional', ['virtio-rng-pci-non-transitional']],
] as const;
const TPM_MODELS = [['tpm-tis', ['tpm-tis']], ['tpm-crb', ['tpm-crb']]] as const;

function resolveQuery(input: DomainCapsInput): { virttype: string; machine: string; maxCpus: number } {
  const arch = input.arch ?? 'x86_64';
  if (arch !== 'x86_64') {
    throw new VirtkitError('INVALID_ARGUMENT', `virtkit runs x86_64 guests only; no emulator for architecture '${arch}'`);
  }
  const virttype = input.virttype ?? (input.kvmUsable ? 'kvm' : 'qemu');
  if (virttype !== 'qemu' && virttype !== 'kvm') {
    throw new VirtkitError('INVALID_ARGUMENT', `unknown virttype '${virttype}': use 'qemu' or 'kvm'`);
  }
  if (virttype === 'kvm' && !input.kvmUsable) {
    throw new VirtkitError('OPERATION_INVALID', `KVM is not usable with '${input.emulator}' on this host` +
      `${input.kvmReason === undefined ? '' : `: ${input.kvmReason}`}; use virttype 'qemu'`);
  }
  const m = input.machine === undefined ? defaultMachine(input.caps) : findMachine(input.caps, input.machine);
  if (m === undefined) {
    throw new VirtkitError('INVALID_ARGUMENT', `the machine '${input.machine ?? '(default)'}' is not supported by emulator '${input.emulator}'`);
  }
  return { virttype, machine: m.name, maxCpus: m.cpuMax };
}

export function formatDomainCapabilitiesXml(input: DomainCapsInput): string {
  const { caps } = input;
  const q = resolveQuery(input);
  const kvm = q.virttype === 'kvm';
  const isQ35 = q.machine.startsWith('pc-q35') || q.machine === 'q35';
  const yes = (b: boolean): string => (b ? 'yes' : 'no');
  const models = caps.cpuModels.map((c) => {
    const usable = kvm ? 'unknown' : (c.unavailableFeatures ?? []).length === 0 ? 'yes' : 'no';
    const dep = c.deprecated ? " deprecated='yes'" : '';
    return `      <model usable='${usable}'${dep}>${xmlEscape(c.name)}</model>`;
  });
  const graphics = [
    ...(hasQmpCommand(caps, 'query-vnc') ? ['vnc'] : []),
    ...(hasQmpCommand(caps, 'query-spice') ? ['spice'] : []),
  ];
  const backing = [
    ...(hasObject(caps, 'memory-backend-file') ? ['file'] : []),
    ...(hasObject(caps, 'memory-backend-ram') ? ['anonymous'] : []),
    ...(hasObject(caps, 'memory-backend-memfd') ? ['memfd'] : []),
  ];
  const rngBackends = [
    ...(hasObject(caps, 'rng-random') ? ['random'] : []),
    ...(hasObject(caps, 'rng-egd') ? ['egd'] : []),
    ...(hasObject(caps, 'rng-builtin') ? ['builtin'] : []),
  ];
  const tpm = present(caps, TPM_MODELS);
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
    ...enumOf('firmware', input.loaders.length > 0 ? ['efi'] : [], '    '),
    `    <loader supported='yes'>`,
    ...input.loaders.map((l) => `      <value>${xmlEscape(l)}</value>`),
    ...enumOf('type', ['rom', 'pflash'], '      '),
    ...enumOf('readonly', ['yes', 'no'], '      '),
    ...enumOf('secure', isQ35 ? ['yes', 'no'] : ['no'], '      '),
    '    </loader>',
    '  </os>',
    '  <cpu>',
    // -cpu host needs KVM: under TCG only 'maximum' gives every feature TCG has.
    `    <mode name='host-passthrough' supported='${yes(kvm)}'/>`,
    `    <mode name='maximum' supported='yes'/>`,
    "    <mode name='host-model' supported='no'/>",
    "    <mode name='custom' supported='yes'>",
    ...models,
    '    </mode>',
    '  </cpu>',
    `  <memoryBacking supported='${yes(backing.length > 0)}'>`,
    ...enumOf('sourceType', backing, '    '),
    '  </memoryBacking>',
    '  <devices>',
    "    <disk supported='yes'>",
    ...enumOf('diskDevice', ['disk', 'cdrom', 'floppy', 'lun'], '      '),
    ...enumOf('bus', present(caps, DISK_BUSES), '      '),
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
    `    <tpm supported='${yes(tpm.length > 0)}'>`,
    ...enumOf('model', tpm, '      '),
    '    </tpm>',
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
