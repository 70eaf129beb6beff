/**
 * The shape of QemuCaps as stored (cache files, the committed fixture), as a
 * strict valibot schema: a cache written by another virtkit version, or a file
 * cut short, fails to parse and is probed again instead of being trusted.
 */
import * as v from 'valibot';
import { VirtkitError } from '../errors.js';
import { schemaIssues } from '../schema-issues.js';

/** Bumped whenever the stored shape changes, so old caches are re-probed. */
export const QEMU_CAPS_FORMAT = 3;

const name = v.pipe(v.string(), v.minLength(1));
const int = v.pipe(v.number(), v.safeInteger());
const names = v.array(name);

export const QemuMachineSchema = v.strictObject({
  name,
  /** 'pc' for pc-i440fx-7.2, 'q35' for pc-q35-7.2. */
  alias: v.optional(name),
  isDefault: v.boolean(),
  deprecated: v.boolean(),
  cpuMax: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  defaultCpuType: v.optional(name),
});

export const QemuCpuModelSchema = v.strictObject({
  name,
  typename: name,
  aliasOf: v.optional(name),
  deprecated: v.boolean(),
  /** Features the probing accelerator (TCG) cannot provide; absent when none. */
  unavailableFeatures: v.optional(names),
  /**
   * The CPUID vendor string and the features (QEMU's names) the model sets, from
   * query-cpu-model-expansion type=static; absent for an alias (see its aliasOf) and for a
   * model QEMU cannot expand here ('host' without KVM). 'max' lists what the probing
   * accelerator (TCG) offers.
   */
  vendor: v.optional(v.string()),
  features: v.optional(names),
});

/**
 * What QEMU under KVM offers a guest CPU, from a second scratch QEMU (-machine none -accel kvm):
 * libvirt's KVM probe. Depends on the host CPU and kernel, not only on the binary.
 */
export const QemuKvmCpuSchema = v.strictObject({
  /** 'host' expanded under KVM (query-cpu-model-expansion type=static): CPUID vendor and the features it sets. */
  host: v.strictObject({ vendor: v.optional(v.string()), features: names }),
  /** query-cpu-definitions under KVM: model -> the features KVM cannot provide (models lacking none are absent). */
  unavailableFeatures: v.record(name, names),
});

export const QemuCapsSchema = v.strictObject({
  format: v.literal(QEMU_CAPS_FORMAT),
  binary: v.string(),
  version: v.strictObject({ major: int, minor: int, micro: int }),
  /** The distribution's build string ("Debian 1:7.2+dfsg-7+deb12u18+b3"). */
  package: v.string(),
  /** Built-in accelerators ('kvm', 'tcg'): whether KVM works here is kvm-probe's question. */
  accelerators: names,
  machines: v.array(QemuMachineSchema),
  cpuModels: v.array(QemuCpuModelSchema),
  /** Every CPU feature QEMU knows (QEMU's names): the boolean properties of a static expansion. */
  cpuFeatures: names,
  /** KVM's CPU offer; absent when /dev/kvm cannot be opened or QEMU cannot start under KVM. */
  kvm: v.optional(QemuKvmCpuSchema),
  /** Every non-abstract QOM type that implements 'device' (what -device accepts, aliases aside). */
  devices: names,
  /** For the device types virtkit configures: property name -> QOM property type. */
  deviceProps: v.record(name, v.record(name, v.string())),
  /** User-creatable QOM types (what -object accepts). */
  objects: names,
  /** A summary of query-qmp-schema. */
  qmp: v.strictObject({
    commands: names,
    events: names,
    /** -blockdev driver= values (compiled in; a module may still be missing). */
    blockdevDrivers: names,
    /** -netdev types. */
    netdevTypes: names,
    /** -chardev backends. */
    chardevBackends: names,
  }),
});

export type QemuCaps = v.InferOutput<typeof QemuCapsSchema>;
export type QemuMachine = v.InferOutput<typeof QemuMachineSchema>;
export type QemuKvmCpu = v.InferOutput<typeof QemuKvmCpuSchema>;
export type QemuCpuModel = v.InferOutput<typeof QemuCpuModelSchema>;

/** Validates stored caps; throws INVALID_ARGUMENT naming the first bad field. */
export function parseQemuCaps(json: unknown): QemuCaps {
  const r = v.safeParse(QemuCapsSchema, json);
  if (r.success) return r.output;
  const issue = schemaIssues(r.issues)[0];
  const where = issue === undefined ? '' : ` at ${issue.path || '(top)'}: ${issue.message}`;
  throw new VirtkitError('INVALID_ARGUMENT', `not a QEMU capabilities record (format ${QEMU_CAPS_FORMAT})${where}`, {
    cause: new v.ValiError(r.issues),
  });
}
