/**
 * Builds QemuCaps from the replies of the QMP commands a probe sends.
 * Pure: the probe (src/host/qemu/probe-caps.ts) only talks to QEMU.
 * Everything is sorted so that the same QEMU always gives the same JSON
 * (the committed fixture is compared as a diff).
 */
import { QEMU_CAPS_FORMAT } from './caps-schema.js';
import type { QemuCaps, QemuCpuModel, QemuMachine } from './caps-schema.js';
import type { QemuVersionInfo } from './qmp/messages.js';
import type {
  QmpCpuDefinition, QmpCpuModelExpansion, QmpMachineInfo, QmpObjectPropertyInfo, QmpObjectTypeInfo, QmpSchemaEntry,
} from './qmp/command-types.js';

/** Device types whose properties the probe lists (those virtkit configures); missing ones are skipped. */
export const PROBED_DEVICE_TYPES: readonly string[] = [
  'virtio-blk-pci', 'virtio-net-pci', 'virtio-balloon-pci', 'virtio-scsi-pci', 'virtio-serial-pci',
  'virtserialport', 'virtconsole', 'virtio-rng-pci', 'virtio-vga', 'virtio-gpu-pci', 'virtio-keyboard-pci',
  'virtio-mouse-pci', 'virtio-tablet-pci', 'vhost-vsock-pci', 'qxl-vga', 'qxl', 'VGA', 'cirrus-vga',
  'bochs-display', 'pcie-root-port', 'pci-bridge', 'pcie-pci-bridge', 'qemu-xhci', 'nec-usb-xhci',
  'piix3-usb-uhci', 'ich9-usb-ehci1', 'usb-tablet', 'usb-kbd', 'usb-storage', 'usb-host', 'scsi-hd',
  'scsi-cd', 'ide-hd', 'ide-cd', 'ich9-ahci', 'lsi53c895a', 'isa-serial', 'pci-serial', 'isa-fdc', 'floppy',
  'i6300esb', 'ib700', 'vfio-pci', 'e1000', 'e1000e', 'rtl8139', 'ICH9-LPC', 'PIIX4_PM', 'pvpanic',
  'intel-iommu', 'pc-dimm', 'ich9-intel-hda', 'hda-duplex', 'isa-debugcon', 'isa-debug-exit',
];

/** What a probe gathers; each field is one QMP reply (deviceProps: one per probed type that exists). */
export interface CapsReplies {
  readonly binary: string;
  readonly version: QemuVersionInfo;
  readonly machines: readonly QmpMachineInfo[];
  readonly cpuDefinitions: readonly QmpCpuDefinition[];
  /** query-cpu-model-expansion type=static, per model that is not an alias (absent: QEMU refused it). */
  readonly cpuExpansions: Readonly<Record<string, QmpCpuModelExpansion>>;
  /** qom-list-types implements=device abstract=false */
  readonly deviceTypes: readonly QmpObjectTypeInfo[];
  /** qom-list-types implements=accel */
  readonly accelTypes: readonly QmpObjectTypeInfo[];
  /** qom-list-types implements=user-creatable abstract=false */
  readonly objectTypes: readonly QmpObjectTypeInfo[];
  readonly deviceProps: Readonly<Record<string, readonly QmpObjectPropertyInfo[]>>;
  readonly schema: readonly QmpSchemaEntry[];
}

const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();
const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function machine(m: QmpMachineInfo): QemuMachine {
  return {
    name: m.name,
    ...(m.alias === undefined ? {} : { alias: m.alias }),
    isDefault: m['is-default'] === true,
    deprecated: m.deprecated,
    cpuMax: m['cpu-max'],
    ...(m['default-cpu-type'] === undefined ? {} : { defaultCpuType: m['default-cpu-type'] }),
  };
}

/** The models a probe expands: every one that is not an alias of another. */
export function expandableCpuModels(defs: readonly QmpCpuDefinition[]): string[] {
  return defs.filter((c) => c['alias-of'] === undefined).map((c) => c.name);
}

const booleanProps = (e: QmpCpuModelExpansion): [string, boolean][] =>
  Object.entries(e.model.props ?? {}).filter((p): p is [string, boolean] => typeof p[1] === 'boolean');

/** A CPU expansion as its CPUID vendor (when it has one) and the sorted features it turns on. */
export function expansionCpu(e: QmpCpuModelExpansion): { vendor?: string; features: string[] } {
  const vendor = e.model.props?.['vendor'];
  return {
    ...(typeof vendor === 'string' ? { vendor } : {}),
    features: sorted(booleanProps(e).filter(([, on]) => on).map(([n]) => n)),
  };
}

function cpuModel(c: QmpCpuDefinition, expansion: QmpCpuModelExpansion | undefined): QemuCpuModel {
  const unavailable = c['unavailable-features'] ?? [];
  return {
    name: c.name,
    typename: c.typename,
    ...(c['alias-of'] === undefined ? {} : { aliasOf: c['alias-of'] }),
    deprecated: c.deprecated,
    ...(unavailable.length === 0 ? {} : { unavailableFeatures: sorted(unavailable) }),
    ...(expansion === undefined ? {} : expansionCpu(expansion)),
  };
}

/**
 * Type names in query-qmp-schema are opaque numbers: follow a command's
 * argument type through the named members down to an enum, and return its
 * values ([] when the path does not exist in this QEMU).
 */
export function schemaEnum(schema: readonly QmpSchemaEntry[], command: string, memberPath: readonly string[]): string[] {
  const byName = new Map(schema.map((e) => [e.name, e]));
  let entry = byName.get(byName.get(command)?.['arg-type'] ?? '');
  for (const member of memberPath) {
    const type = entry?.members?.find((m) => m.name === member)?.type;
    entry = type === undefined ? undefined : byName.get(type);
  }
  return entry?.['meta-type'] === 'enum' ? sorted(entry.values ?? []) : [];
}

export function buildQemuCaps(r: CapsReplies): QemuCaps {
  const deviceProps: Record<string, Record<string, string>> = {};
  for (const type of Object.keys(r.deviceProps).sort()) {
    const props: Record<string, string> = {};
    for (const p of [...(r.deviceProps[type] ?? [])].sort(byName)) props[p.name] = p.type;
    deviceProps[type] = props;
  }
  return {
    format: QEMU_CAPS_FORMAT,
    binary: r.binary,
    version: { ...r.version.qemu },
    package: r.version.package.trim(),
    accelerators: sorted(r.accelTypes.filter((t) => t.name.endsWith('-accel')).map((t) => t.name.slice(0, -'-accel'.length))),
    machines: r.machines.map(machine).sort(byName),
    cpuModels: r.cpuDefinitions.map((c) => cpuModel(c, Object.hasOwn(r.cpuExpansions, c.name) ? r.cpuExpansions[c.name] : undefined)).sort(byName),
    cpuFeatures: sorted(Object.values(r.cpuExpansions).flatMap((e) => booleanProps(e).map(([n]) => n))),
    devices: sorted(r.deviceTypes.map((t) => t.name)),
    deviceProps,
    objects: sorted(r.objectTypes.map((t) => t.name)),
    qmp: {
      commands: sorted(r.schema.filter((e) => e['meta-type'] === 'command').map((e) => e.name)),
      events: sorted(r.schema.filter((e) => e['meta-type'] === 'event').map((e) => e.name)),
      blockdevDrivers: schemaEnum(r.schema, 'blockdev-add', ['driver']),
      netdevTypes: schemaEnum(r.schema, 'netdev_add', ['type']),
      chardevBackends: schemaEnum(r.schema, 'chardev-add', ['backend', 'type']),
    },
  };
}
