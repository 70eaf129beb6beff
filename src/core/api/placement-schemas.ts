/**
 * The placement API's answer (GET /v1/placement, `virtkit placement`): what each dedicated domain
 * holds on the host, and per NUMA node the CPUs and memory held. schemas.ts re-exports it.
 */
import * as v from 'valibot';

export const placementSchemas = new Map<v.GenericSchema, { readonly id: string; readonly description: string }>();

const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const ids = v.array(count);
const pages = v.array(v.strictObject({ node: count, sizeKiB: count, pages: count }));

export const PlacementReport = v.strictObject({
  holdings: v.pipe(v.array(v.strictObject({
    domain: v.string(),
    cpus: v.pipe(ids, v.description("Host CPUs that are the domain's alone: its vCPUs' threads and the siblings it keeps idle")),
    memory: v.pipe(v.array(v.strictObject({ node: count, kiB: count })), v.description('Normal memory bound to a node')),
    hugepages: pages,
  })), v.description('One per domain placed automatically (running, or starting)')),
  nodes: v.array(v.strictObject({
    node: count,
    cpus: v.pipe(ids, v.description('Online CPUs of the node')),
    heldCpus: ids,
    memoryKiB: v.pipe(count, v.description('Normal memory promised to dedicated domains')),
    hugepages: v.array(v.strictObject({ sizeKiB: count, pages: count })),
  })),
});
placementSchemas.set(PlacementReport, { id: 'PlacementReport', description: 'What automatically placed domains hold on the host (virtkit placement)' });
