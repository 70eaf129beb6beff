/**
 * What one QEMU binary can do (QemuCaps), and the questions the rest of
 * virtkit asks of it. Pure: the record comes from a probe of the binary
 * (src/host/qemu/probe-caps.ts), a cache file, or a committed fixture
 * (tests/fixtures/qemu-caps/); it is plain JSON.
 */
import type { QemuCaps, QemuMachine } from './caps-schema.js';

export { parseQemuCaps, QEMU_CAPS_FORMAT, QemuCapsSchema } from './caps-schema.js';
export type { QemuCaps, QemuCpuModel, QemuKvmCpu, QemuMachine } from './caps-schema.js';

/** Name lookups as Sets, built once per caps object. */
interface Index {
  devices: Set<string>;
  objects: Set<string>;
  cpuModels: Set<string>;
  commands: Set<string>;
  machines: Map<string, QemuMachine>;
}

const indexes = new WeakMap<QemuCaps, Index>();

function index(caps: QemuCaps): Index {
  let ix = indexes.get(caps);
  if (ix === undefined) {
    const machines = new Map<string, QemuMachine>();
    for (const m of caps.machines) machines.set(m.name, m);
    // Aliases after names: a name always wins over another machine's alias.
    for (const m of caps.machines) if (m.alias !== undefined && !machines.has(m.alias)) machines.set(m.alias, m);
    ix = {
      devices: new Set(caps.devices),
      objects: new Set(caps.objects),
      cpuModels: new Set(caps.cpuModels.map((c) => c.name)),
      commands: new Set(caps.qmp.commands),
      machines,
    };
    indexes.set(caps, ix);
  }
  return ix;
}

export function formatQemuVersion(caps: Pick<QemuCaps, 'version'>): string {
  const v = caps.version;
  return `${v.major}.${v.minor}.${v.micro}`;
}

export function versionAtLeast(caps: Pick<QemuCaps, 'version'>, major: number, minor = 0, micro = 0): boolean {
  const v = caps.version;
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.micro >= micro;
}

/** A device type -device accepts (by its QOM name, e.g. 'lsi53c895a', not the alias 'lsi'). */
export function hasDevice(caps: QemuCaps, type: string): boolean {
  return index(caps).devices.has(type);
}

/** The properties of a device type, if the probe asked for them. */
export function deviceProps(caps: QemuCaps, type: string): Readonly<Record<string, string>> | undefined {
  return Object.hasOwn(caps.deviceProps, type) ? caps.deviceProps[type] : undefined;
}

/** Whether `type` has property `prop`; undefined when the probe did not list that type's properties. */
export function hasDeviceProp(caps: QemuCaps, type: string, prop: string): boolean | undefined {
  const props = deviceProps(caps, type);
  return props === undefined ? undefined : Object.hasOwn(props, prop);
}

/** A user-creatable object type (-object), e.g. 'rng-random', 'memory-backend-file'. */
export function hasObject(caps: QemuCaps, type: string): boolean {
  return index(caps).objects.has(type);
}

/** A built-in accelerator: 'tcg' or 'kvm'. Built in is not usable: see src/host/qemu/kvm-probe.ts. */
export function hasAccel(caps: QemuCaps, accel: string): boolean {
  return caps.accelerators.includes(accel);
}

export function hasCpuModel(caps: QemuCaps, model: string): boolean {
  return index(caps).cpuModels.has(model);
}

export function hasQmpCommand(caps: QemuCaps, command: string): boolean {
  return index(caps).commands.has(command);
}

/** The machine `name` refers to, by its name or alias ('pc' -> pc-i440fx-7.2). */
export function findMachine(caps: QemuCaps, name: string): QemuMachine | undefined {
  return index(caps).machines.get(name);
}

export function hasMachine(caps: QemuCaps, name: string): boolean {
  return findMachine(caps, name) !== undefined;
}

/** The canonical machine name: resolveMachine(caps, 'pc') === 'pc-i440fx-7.2'; undefined if unknown. */
export function resolveMachine(caps: QemuCaps, name: string): string | undefined {
  return findMachine(caps, name)?.name;
}

/** The machine QEMU picks without -machine (pc-i440fx-X on x86). */
export function defaultMachine(caps: QemuCaps): QemuMachine | undefined {
  return caps.machines.find((m) => m.isDefault);
}

/** Whether `name` (or what it is an alias of) is a Q35 machine, which has PCIe and no PCI hotplug on pcie.0. */
export function isQ35(caps: QemuCaps, name: string): boolean {
  const resolved = resolveMachine(caps, name) ?? name;
  return resolved === 'q35' || resolved.startsWith('pc-q35-');
}

/** Whether `name` is an i440FX ("pc") machine. */
export function isI440fx(caps: QemuCaps, name: string): boolean {
  const resolved = resolveMachine(caps, name) ?? name;
  return resolved === 'pc' || resolved.startsWith('pc-i440fx-');
}
