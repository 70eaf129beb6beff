/**
 * The tuning API (vcpupin, emulatorpin, iothreadpin, schedinfo, numatune; docs/tuning.md): one
 * change per request with --live/--config, and the report the commands print. schemas.ts adds
 * them to its named components.
 */
import * as v from 'valibot';
import { NUMA_MODES, SCHED_PARAM_NAMES, type SchedParam } from '../tuning/names.js';

/** Named schemas of this module; schemas.ts adds them to `apiSchemas`. */
export const tuningSchemas = new Map<v.GenericSchema, { readonly id: string; readonly description: string }>();

const named = <T extends v.GenericSchema>(id: string, description: string, schema: T): T => {
  tuningSchemas.set(schema, { id, description });
  return schema;
};
const described = <T extends v.GenericSchema>(schema: T, text: string) => v.pipe(schema, v.description(text));
const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const int = v.pipe(v.number(), v.safeInteger());
const cpuList = described(v.pipe(v.string(), v.minLength(1)), 'Host CPUs in list syntax, e.g. 0-3,^2,8');
const mode = v.picklist(NUMA_MODES);

const SchedValues = v.strictObject(Object.fromEntries(SCHED_PARAM_NAMES.map((k) => [k, int])) as Record<SchedParam, typeof int>);

const TuningChange = v.variant('what', [
  v.strictObject({ what: v.literal('vcpupin'), vcpu: count, cpuset: cpuList }),
  v.strictObject({ what: v.literal('emulatorpin'), cpuset: cpuList }),
  v.strictObject({ what: v.literal('iothreadpin'), iothread: count, cpuset: cpuList }),
  v.strictObject({ what: v.literal('sched'), params: v.partial(SchedValues) }),
  v.strictObject({ what: v.literal('numatune'), mode: v.optional(mode), nodeset: v.optional(described(v.pipe(v.string(), v.minLength(1)), 'Host NUMA nodes, e.g. 0-1')) }),
]);

export const TuningBody = named('TuningRequest', 'One tuning change (virsh vcpupin, emulatorpin, iothreadpin, schedinfo --set, numatune)', v.strictObject({
  change: TuningChange,
  live: v.optional(described(v.boolean(), 'Change the running domain')),
  config: v.optional(described(v.boolean(), 'Change the persistent definition (neither flag: the running domain if it runs, else the definition)')),
}));

export const TuningReport = named('TuningReport', 'Pinning, CPU bandwidth and NUMA memory of a domain, live or as defined', v.strictObject({
  of: v.picklist(['live', 'config']),
  hostCpus: count,
  vcpupin: v.array(v.strictObject({ vcpu: count, cpuset: v.string() })),
  emulatorpin: v.string(),
  iothreadpin: v.array(v.strictObject({ iothread: count, cpuset: v.string() })),
  sched: described(SchedValues, 'Live: read from the domain cgroup (kernel defaults where it has none); config: the definition, 0 where unset'),
  numatune: v.strictObject({ mode, nodeset: v.string() }),
}));
