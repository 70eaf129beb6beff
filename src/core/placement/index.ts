/**
 * Host topology and automatic placement (issue 10). Pure: src/host/sysfs/topology.ts reads the
 * topology; the daemon keeps the holdings and records a placement in the live XML.
 */
export { formatCpuset } from './cpuset.js';
export { defaultSharedCpus, formatKiB, placeDomain } from './place.js';
export { placementRequest, type RequestContext } from './request.js';
export { applyPlacement } from './tuning.js';
export type { HostCpu, HostNumaTopology, HugepagePool, NumaNode } from './topology.js';
export type { Holding, NodeShortfall, Placement, PlacementInput, PlacementRequest, SmtPolicy } from './types.js';
export { heldPerNode, type NodeHeld } from './report.js';
export { smtPolicyOf, VIRTKIT_PLACEMENT_XMLNS } from './metadata.js';
