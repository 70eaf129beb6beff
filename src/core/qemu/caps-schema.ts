/**
 * The shape of QemuCaps as stored (cache files, the committed fixture), as a
 * strict zod schema: a cache written by another virtkit version, or a file
 * cut short, fails to parse and is probed again instead of being trusted.
 */
import * as z from 'zod';
import { VirtkitError } from '../errors.js';

/** Bumped whenever the stored shape changes, so old caches are re-probed. */
export const QEMU_CAPS_FORMAT = 1;

const name = z.string().min(1);

export const QemuMachineSchema = z.strictObject({
  name,
  /** 'pc' for pc-i440fx-7.2, 'q35' for pc-q35-7.2. */
  alias: name.optional(),
  isDefault: z.boolean(),
  deprecated: z.boolean(),
  cpuMax: z.number().int().nonnegative(),
  defaultCpuType: name.optional(),
});

export const QemuCpuModelSchema = z.strictObject({
  name,
  typename: name,
  aliasOf: name.optional(),
  deprecated: z.boolean(),
  /** Features the probing accelerator (TCG) cannot provide; absent when none. */
  unavailableFeatures: z.array(name).optional(),
});

export const QemuCapsSchema = z.strictObject({
  format: z.literal(QEMU_CAPS_FORMAT),
  binary: z.string(),
  version: z.strictObject({ major: z.number().int(), minor: z.number().int(), micro: z.number().int() }),
  /** The distribution's build string ("Debian 1:7.2+dfsg-7+deb12u18+b3"). */
  package: z.string(),
  /** Built-in accelerators ('kvm', 'tcg'): whether KVM works here is kvm-probe's question. */
  accelerators: z.array(name),
  machines: z.array(QemuMachineSchema),
  cpuModels: z.array(QemuCpuModelSchema),
  /** Every non-abstract QOM type that implements 'device' (what -device accepts, aliases aside). */
  devices: z.array(name),
  /** For the device types virtkit configures: property name -> QOM property type. */
  deviceProps: z.record(name, z.record(name, z.string())),
  /** User-creatable QOM types (what -object accepts). */
  objects: z.array(name),
  /** A summary of query-qmp-schema. */
  qmp: z.strictObject({
    commands: z.array(name),
    events: z.array(name),
    /** -blockdev driver= values (compiled in; a module may still be missing). */
    blockdevDrivers: z.array(name),
    /** -netdev types. */
    netdevTypes: z.array(name),
    /** -chardev backends. */
    chardevBackends: z.array(name),
  }),
});

export type QemuCaps = z.infer<typeof QemuCapsSchema>;
export type QemuMachine = z.infer<typeof QemuMachineSchema>;
export type QemuCpuModel = z.infer<typeof QemuCpuModelSchema>;

/** Validates stored caps; throws INVALID_ARGUMENT naming the first bad field. */
export function parseQemuCaps(json: unknown): QemuCaps {
  const r = QemuCapsSchema.safeParse(json);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue === undefined ? '' : ` at ${issue.path.join('.') || '(top)'}: ${issue.message}`;
  throw new VirtkitError('INVALID_ARGUMENT', `not a QEMU capabilities record (format ${QEMU_CAPS_FORMAT})${where}`, { cause: r.error });
}
