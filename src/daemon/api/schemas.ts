/**
 * The API's bodies and answers as strict zod schemas (unknown keys are
 * refused). TypeScript types come from them, and so does the OpenAPI
 * document (openapi.ts): one source for validation, types and docs.
 * Every schema with an `id` in `apiSchemas` becomes a named component.
 * Routes name schemas by their export name and load this module only when
 * a request has a body (query strings are parsed by query.ts, without zod).
 */
import * as z from 'zod';
import { ERROR_CODES } from '../../core/errors.js';
import { ALL_EVENT_DETAILS, ALL_STATE_REASONS, DOMAIN_STATES, EVENT_KINDS } from '../state.js';

export const apiSchemas = z.registry<{ id: string; description?: string }>();

const named = <T extends z.ZodType>(id: string, description: string, schema: T): T => {
  apiSchemas.add(schema, { id, description });
  return schema;
};

export const ErrorBody = named('Error', 'Every error, whatever the route', z.object({
  error: z.object({
    code: z.enum(ERROR_CODES).describe('Stable code to match on'),
    message: z.string().describe('What failed, why, and what to do'),
    details: z.record(z.string(), z.unknown()).optional(),
  }).strict(),
}).strict());

export const DomainInfo = named('DomainInfo', 'A domain as list and dominfo show it', z.object({
  name: z.string(),
  uuid: z.uuid(),
  id: z.int().min(1).nullable().describe('Runtime id while active, null when shut off'),
  state: z.enum(DOMAIN_STATES),
  reason: z.enum(ALL_STATE_REASONS as [string, ...string[]]).describe('Why the domain is in its state (libvirt reason)'),
  persistent: z.boolean(),
  autostart: z.boolean(),
  type: z.string().describe("Domain type: 'kvm' or 'qemu'"),
  osType: z.string(),
  vcpus: z.int().min(0),
  maxMemoryKiB: z.int().min(0),
  currentMemoryKiB: z.int().min(0),
  title: z.string().nullable(),
}).strict());

export const DomainList = named('DomainList', 'Domains, sorted by name', z.object({
  domains: z.array(DomainInfo),
}).strict());

export const DefineResult = named('DefineResult', 'A definition stored', z.object({
  domain: DomainInfo,
  created: z.boolean().describe('false when an existing definition was replaced'),
}).strict());

export const DomainXml = named('DomainXml', 'Domain XML', z.object({ xml: z.string() }).strict());

export const DomainStats = named('DomainStats', 'Statistics of a running domain', z.object({
  cpuTimeNs: z.int().min(0),
  currentMemoryKiB: z.int().min(0),
  vcpus: z.int().min(0),
}).strict());

const count = z.int().min(0);

export const DomStats = named('DomStats', 'virsh domstats: state always, the other groups while running', z.object({
  name: z.string(),
  state: z.enum(DOMAIN_STATES),
  reason: z.enum(ALL_STATE_REASONS as [string, ...string[]]),
  stateCode: count.describe("libvirt's virDomainState number"),
  reasonCode: count.describe("libvirt's number of the state's reason"),
  vcpuCurrent: count,
  vcpuMaximum: count,
  running: z.object({
    cpuTimeNs: count,
    cpuUserNs: count,
    cpuSystemNs: count,
    balloon: z.object({ currentKiB: count, maximumKiB: count }).strict(),
    vcpus: z.array(z.object({ vcpu: count, state: z.enum(['running', 'offline']), cpuTimeNs: count }).strict()),
    block: z.array(z.object({
      name: z.string().describe('Target (vda)'),
      path: z.string().nullable(),
      rdReqs: count, rdBytes: count, wrReqs: count, wrBytes: count, flReqs: count,
      rdTimesNs: count, wrTimesNs: count, flTimesNs: count,
    }).strict()),
    net: z.array(z.object({
      device: z.string().describe('Host tap; counters are seen from the guest'),
      rxBytes: count, rxPackets: count, rxErrors: count, rxDrops: count,
      txBytes: count, txPackets: count, txErrors: count, txDrops: count,
    }).strict()),
  }).strict().nullable().describe('Null while the domain is not running'),
}).strict());

const VcpuInfo = z.object({
  vcpu: count,
  threadId: count,
  state: z.enum(['running', 'offline']),
  cpuTimeNs: count,
  cpu: count.describe('Host CPU it last ran on'),
  affinity: z.array(count).optional().describe('Host CPUs it may run on'),
}).strict();

export const VcpuReport = named('VcpuReport', 'virsh vcpuinfo', z.object({
  hostCpus: count,
  maximum: count,
  vcpus: z.array(VcpuInfo).nullable().describe('Null while the domain is not running'),
}).strict());

const VcpuCounts = z.object({ maximum: count, current: count }).strict();
export const VcpuCountReport = named('VcpuCountReport', 'virsh vcpucount', z.object({
  config: VcpuCounts.nullable().describe('Null for a transient domain'),
  live: VcpuCounts.nullable().describe('Null while shut off'),
}).strict());

export const NativeArgv = named('NativeArgv', 'A QEMU command line', z.object({
  binary: z.string(),
  args: z.array(z.string()),
  env: z.record(z.string(), z.string()),
}).strict());

export const XmlDocument = named('XmlDocument', 'An XML document (capabilities, domainCapabilities)', z.object({ xml: z.string() }).strict());

export const NodeInfo = named('NodeInfo', 'Host CPU and memory (virsh nodeinfo)', z.object({
  model: z.string(),
  cpus: z.int(),
  mhz: z.int(),
  nodes: z.int(),
  sockets: z.int(),
  cores: z.int(),
  threads: z.int(),
  memoryKiB: z.int(),
}).strict());

export const HostInfo = named('HostInfo', 'The daemon and its host', z.object({
  hostname: z.string(),
  version: z.string().describe('virtkit version'),
  uri: z.string().describe('URI of this daemon instance'),
  hypervisor: z.object({ name: z.string(), version: z.string() }).strict().nullable(),
  node: NodeInfo,
}).strict());

export const LifecycleEvent = named('LifecycleEvent', 'One message of GET /v1/events', z.object({
  domain: z.string(),
  uuid: z.uuid(),
  event: z.enum(EVENT_KINDS as [string, ...string[]]),
  detail: z.enum(ALL_EVENT_DETAILS as [string, ...string[]]),
  timestamp: z.iso.datetime(),
}).strict());

// Request bodies.

export const DefineBody = named('DefineRequest', 'Define (or redefine) a domain', z.object({
  xml: z.string().min(1).describe('libvirt domain XML'),
}).strict());

export const CreateBody = named('CreateRequest', 'Start a transient domain from XML', z.object({
  xml: z.string().min(1),
  paused: z.boolean().optional(),
}).strict());

export const AutostartBody = named('AutostartRequest', 'Autostart flag', z.object({ enabled: z.boolean() }).strict());
const live = z.boolean().optional().describe('Change the running domain');
const config = z.boolean().optional().describe('Change the persistent definition (neither flag: the running domain if it runs, else the definition)');
export const MemoryBody = named('MemoryRequest', 'Memory size (virsh setmem)', z.object({ kib: z.int().min(1), live, config }).strict());
export const MaxMemoryBody = named('MaxMemoryRequest', 'Maximum memory size (virsh setmaxmem): definition only', z.object({
  kib: z.int().min(1), live, config,
}).strict());
export const VcpusBody = named('VcpusRequest', 'vCPU count (virsh setvcpus)', z.object({
  count: z.int().min(1), live, config,
  maximum: z.boolean().optional().describe('Set the maximum (with config)'),
}).strict());
export const DomxmlToNativeBody = named('DomxmlToNativeRequest', 'Domain XML to translate', z.object({
  format: z.literal('qemu-argv'),
  xml: z.string().min(1),
}).strict());

const shutdownMode = z.enum(['acpi', 'agent']).optional();
export const StartBody = named('StartRequest', 'Options of start', z.object({ paused: z.boolean().optional() }).strict());
export const ShutdownBody = named('ShutdownRequest', 'Options of shutdown', z.object({ mode: shutdownMode }).strict());
export const RebootBody = named('RebootRequest', 'Options of reboot', z.object({ mode: shutdownMode }).strict());
export const DestroyBody = named('DestroyRequest', 'Options of destroy', z.object({
  graceful: z.boolean().optional().describe('SIGTERM only, never SIGKILL'),
}).strict());
export const EmptyBody = named('EmptyRequest', 'No options (an empty body is fine too)', z.object({}).strict());
