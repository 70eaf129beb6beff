/**
 * Which QEMU module file provides which QOM types, and what that explains.
 *
 * A QEMU build lists some device and -object types only when the module file
 * that holds them is installed (virtio-gpu-gl-device needs
 * hw-display-virtio-gpu-gl.so from Debian's qemu-system-gui). A module map is
 * captured next to a caps fixture (scripts/capture-qemu-caps.mjs: probe with
 * each module left out, see what vanishes), so that caps probed from the same
 * build with fewer modules can be compared with the fixture type by type.
 * Pure: the caller says which module files are present.
 */
import * as v from 'valibot';
import { VirtkitError } from '../../src/core/errors.js';
import { schemaIssues } from '../../src/core/schema-issues.js';
import type { QemuCaps } from '../../src/core/qemu/caps-schema.js';

const name = v.pipe(v.string(), v.minLength(1));

export const QemuModuleSchema = v.strictObject({
  /** The Debian package that owns the file ('' when none does). */
  package: v.string(),
  /** Device types that vanish when this file is absent. */
  devices: v.array(name),
  /** -object types that vanish when this file is absent. */
  objects: v.array(name),
  /**
   * Without this file (the others present) QEMU failed to probe at all, in
   * these words: accel-tcg-x86_64.so for -accel tcg, or a module that other
   * modules depend on. Its devices and objects are then unknown (empty).
   */
  probeFailsWithout: v.optional(v.string()),
});

export const QemuModuleMapSchema = v.strictObject({
  /** The binary and build the map was captured from (as in QemuCaps). */
  binary: v.string(),
  package: v.string(),
  moduleDir: v.string(),
  /** Every module file present at capture, by file name. */
  modules: v.record(name, QemuModuleSchema),
});

export type QemuModule = v.InferOutput<typeof QemuModuleSchema>;
export type QemuModuleMap = v.InferOutput<typeof QemuModuleMapSchema>;

export function parseQemuModuleMap(json: unknown): QemuModuleMap {
  const r = v.safeParse(QemuModuleMapSchema, json);
  if (r.success) return r.output;
  const issue = schemaIssues(r.issues)[0];
  const where = issue === undefined ? '' : ` at ${issue.path || '(top)'}: ${issue.message}`;
  throw new VirtkitError('INVALID_ARGUMENT', `not a QEMU module map${where}`, { cause: new v.ValiError(r.issues) });
}

export type QomKind = 'device' | 'object';

export interface MissingType {
  readonly kind: QomKind;
  readonly type: string;
  /** Module files that provide it (per the map), with their packages. */
  readonly providers: readonly { readonly file: string; readonly package: string; readonly present: boolean }[];
}

export interface CapsModuleDiff {
  /** In the reference, not probed, and provided by a module file absent here. */
  readonly explained: readonly MissingType[];
  /** In the reference, not probed, although every module that provides it (if any) is present. */
  readonly unexplained: readonly MissingType[];
  /** Probed here, not in the reference. */
  readonly extra: readonly { readonly kind: QomKind; readonly type: string }[];
}

function providersOf(map: QemuModuleMap, kind: QomKind, type: string, present: ReadonlySet<string>): MissingType['providers'] {
  return Object.entries(map.modules)
    .filter(([, m]) => (kind === 'device' ? m.devices : m.objects).includes(type))
    .map(([file, m]) => ({ file, package: m.package, present: present.has(file) }));
}

/**
 * How `probed` differs from `reference` (same build) in devices and -object
 * types, given which module files are `present` where `probed` was taken.
 */
export function diffCapsByModules(reference: QemuCaps, probed: QemuCaps, map: QemuModuleMap, present: ReadonlySet<string>): CapsModuleDiff {
  const explained: MissingType[] = [];
  const unexplained: MissingType[] = [];
  const extra: { kind: QomKind; type: string }[] = [];
  const lists: [QomKind, readonly string[], readonly string[]][] = [
    ['device', reference.devices, probed.devices],
    ['object', reference.objects, probed.objects],
  ];
  for (const [kind, ref, got] of lists) {
    const gotSet = new Set(got);
    const refSet = new Set(ref);
    for (const type of ref) {
      if (gotSet.has(type)) continue;
      const providers = providersOf(map, kind, type, present);
      (providers.some((p) => !p.present) ? explained : unexplained).push({ kind, type, providers });
    }
    for (const type of got) if (!refSet.has(type)) extra.push({ kind, type });
  }
  return { explained, unexplained, extra };
}

/** "virtio-gpu-gl-device (device): provided by hw-display-virtio-gpu-gl.so (package qemu-system-gui), absent here" */
export function describeMissing(m: MissingType): string {
  const absent = m.providers.filter((p) => !p.present);
  const shown = absent.length > 0 ? absent : m.providers;
  if (shown.length === 0) return `${m.type} (${m.kind}): no module provides it`;
  const files = shown.map((p) => `${p.file} (package ${p.package === '' ? 'none' : p.package})`).join(', ');
  return `${m.type} (${m.kind}): provided by ${files}, ${absent.length > 0 ? 'absent here' : 'present here'}`;
}
