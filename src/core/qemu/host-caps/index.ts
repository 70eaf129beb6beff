/**
 * libvirt's host-level XML documents for the QEMU driver: capabilities and
 * domainCapabilities, generated from probed data. Imports core only.
 */
export { formatCapabilitiesXml } from './capabilities.js';
export type { CapabilitiesInput } from './capabilities.js';
export { hostPageSizes } from './host-xml.js';
export type { CapabilitiesHost, HostCpuId } from './host-xml.js';
export { formatDomainCapabilitiesXml } from './domain-capabilities.js';
export type { DomainCapsInput } from './domain-capabilities.js';
