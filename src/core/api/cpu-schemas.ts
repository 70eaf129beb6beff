/**
 * The CPU API: compare a CPU with the host's or the hypervisor's (cpu-compare,
 * hypervisor-cpu-compare) and the baseline of several (cpu-baseline, hypervisor-cpu-baseline);
 * docs/cpu-models.md. schemas.ts adds them to its named components.
 */
import * as v from 'valibot';

export const cpuSchemas = new Map<v.GenericSchema, { readonly id: string; readonly description: string }>();

const named = <T extends v.GenericSchema>(id: string, description: string, schema: T): T => {
  cpuSchemas.set(schema, { id, description });
  return schema;
};
const described = <T extends v.GenericSchema>(schema: T, text: string) => v.pipe(schema, v.description(text));

const xml = described(v.pipe(v.string(), v.minLength(1)), 'XML holding <cpu> elements: a <cpu>, a domain, capabilities, or several concatenated');
const against = described(v.picklist(['host', 'hypervisor']),
  "host: the host CPU from /proc/cpuinfo (cpu-compare); hypervisor: what the accelerator gives a guest (hypervisor-cpu-*; TCG: QEMU's 'max')");
const virttype = v.optional(described(v.string(), "The accelerator for against=hypervisor: 'qemu' or 'kvm' (default: kvm where usable)"));

export const CpuCompareBody = named('CpuCompareRequest', 'Compare the first <cpu> of the XML (virsh cpu-compare, hypervisor-cpu-compare)', v.strictObject({
  xml, against, virttype,
}));

export const CpuCompareResult = named('CpuCompareResult', "libvirt's comparison result", v.strictObject({
  result: v.picklist(['incompatible', 'identical', 'superset']),
  missing: described(v.array(v.string()), "Features the CPU needs that are not there (libvirt's names)"),
  reason: v.optional(described(v.string(), 'Why it is incompatible, in libvirt\'s words')),
}));

export const CpuBaselineBody = named('CpuBaselineRequest', 'The baseline of the <cpu>s of the XML (virsh cpu-baseline, hypervisor-cpu-baseline)', v.strictObject({
  xml, against, virttype,
  features: v.optional(described(v.boolean(), "List the model's own features as well (--features)")),
}));
