/**
 * Network XML (libvirt-compatible): parse -> defaults -> validate -> format, on
 * the same declarative schema machinery as domains (../schema.ts, ../codec.ts).
 *   parseNetworkXml / checkNetworkXml   XML text -> NetworkDef, refusing unknown elements (parse.ts)
 *   prepareNetwork, nextFreeBridgeName  libvirt's defaults; the daemon picks virbrN (defaults.ts)
 *   networkProblems / validateNetwork   cross-element rules (validate*.ts)
 *   formatNetworkXml                    the model back to XML (parse.ts)
 *   address.ts                          IPv4/IPv6 arithmetic, subnetsOverlap / overlappingSubnets
 */
export { checkNetworkXml, formatNetworkXml, parseNetworkElement, parseNetworkXml } from './parse.js';
export { nextFreeBridgeName, prepareNetwork } from './defaults.js';
export type { NetworkPrepareContext } from './defaults.js';
export { forwardMode, managesBridge, networkProblems, validateNetwork } from './validate.js';
export * from './address.js';
export { hasDhcp, ipFamily, resolveIp } from './ipdef.js';
export { networkSubnets, subnetOverlapProblems } from './overlap.js';
export { otherNetworkProblems } from './conflicts.js';
export type { ResolvedIp } from './ipdef.js';
export * from './schema.js';
export type { LinkDef } from './link-schema.js';
