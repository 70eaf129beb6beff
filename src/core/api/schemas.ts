/**
 * The API's bodies and answers as strict valibot schemas (unknown keys are
 * refused). TypeScript types come from them (types.ts, which the client
 * aliases), and so does the OpenAPI document (src/daemon/api/openapi.ts): one
 * source for validation, types and docs. They live in core so that the client
 * can take their types; it must take only types (`import type`): importing a
 * value here loads valibot, which the CLI does not.
 * Every schema with an `id` in `apiSchemas` becomes a named component.
 * The daemon's routes name schemas by their export name and load this module
 * only when a request has a body (query strings are parsed by
 * src/daemon/api/query.ts, without a schema library). valibot rather than zod keeps the daemon small: importing
 * zod costs ~13 MiB of RSS, valibot ~3 MiB.
 */
import * as v from 'valibot';
import { ERROR_CODES, VirtkitError } from '../errors.js';
import { issuesText, schemaIssues } from '../schema-issues.js';
import { ALL_EVENT_DETAILS, ALL_STATE_REASONS, DOMAIN_STATES, EVENT_KINDS } from './domain-state.js';
import { secretSchemas } from './secret-schemas.js';
import { storageSchemas } from './storage-schemas.js';
import { networkSchemas } from './network-schemas.js';
export {
  DomainIfAddrList, NetworkDefineResult, NetworkInfo, NetworkLease, NetworkLeaseList, NetworkLinkBody, NetworkList, NetworkStartPlan, NetworkUnlinkBody, NetworkUpdateBody,
  NetworkXmlBody,
} from './network-schemas.js';
export { SecretDefineResult, SecretInfo, SecretList, SecretValue, SecretXmlBody } from './secret-schemas.js';
export { BlockInfo, BlockResizeBody, ChangeMediaBody, DeviceXmlBody, DiskDetachBody } from './disk-schemas.js';
import { diskSchemas } from './disk-schemas.js';
export { IfaceLinkBody } from './iface-schemas.js';
import { ifaceSchemas } from './iface-schemas.js';
export { CloneBody, CloneDisk, CloneXmlBody } from './clone-schemas.js';
import { CloneDisk, cloneSchemas } from './clone-schemas.js';
export { NodedevBindResult, NodedevList } from './nodedev-schemas.js';
import { nodedevSchemas } from './nodedev-schemas.js';
import { snapshotSchemas } from './snapshot-schemas.js';
export { AgentCommandBody, AgentCommandResult } from './agent-schemas.js';
import { agentSchemas } from './agent-schemas.js';
export { TuningBody, TuningReport } from './tuning-schemas.js';
import { tuningSchemas } from './tuning-schemas.js';
import { eventSchemas } from './event-schemas.js';
import { installSchemas } from './install-schemas.js';
export { InstallBody, InstallPlan, InstallResult, OsinfoList } from './install-schemas.js';
import { nodeSchemas } from './node-schemas.js';
export { AllocPagesBody, CpuModelList, HostNodeReport, NodeStats } from './node-schemas.js';
import { placementSchemas } from './placement-schemas.js';
export { CpuBaselineBody, CpuCompareBody, CpuCompareResult } from './cpu-schemas.js';
import { cpuSchemas } from './cpu-schemas.js';
export { PlacementReport } from './placement-schemas.js';
export { OBJECT_EVENTS, ObjectEvent, type ObjectEventKind } from './event-schemas.js';
export {
  BlockCommitBody, BlockCommitResult, BlockJob, BlockJobBody, BlockJobsReport, BlockPullResult, SnapshotCreateBody, SnapshotCreateResult, SnapshotCurrent, SnapshotInfo, SnapshotList,
  SnapshotRevertBody,
} from './snapshot-schemas.js';

export {
  PoolCreateBody, PoolDefineResult, PoolInfo, PoolList, PoolStartBody, PoolXmlBody, VolumeCreateBody, VolumeInfo, VolumeList,
  VolumeCloneBody, VolumeCreateFromBody, VolumeImportBody, VolumeResizeBody, VolumeWipeBody,
} from './storage-schemas.js';

/** Named schemas: each becomes a component of the OpenAPI document. */
export const apiSchemas = new Map<v.GenericSchema, { readonly id: string; readonly description: string }>([...storageSchemas, ...networkSchemas, ...secretSchemas, ...diskSchemas, ...ifaceSchemas, ...cloneSchemas, ...snapshotSchemas, ...eventSchemas, ...installSchemas, ...nodeSchemas, ...tuningSchemas, ...nodedevSchemas, ...placementSchemas, ...cpuSchemas, ...agentSchemas]);

const named = <T extends v.GenericSchema>(id: string, description: string, schema: T): T => {
  apiSchemas.set(schema, { id, description });
  return schema;
};

/** The value if it fits `schema`, else INVALID_ARGUMENT with `details.issues` ([{path, message}]). */
export function validate<T extends v.GenericSchema>(schema: T, value: unknown, what: string): v.InferOutput<T> {
  const r = v.safeParse(schema, value);
  if (r.success) return r.output;
  const issues = schemaIssues(r.issues);
  throw new VirtkitError('INVALID_ARGUMENT', `invalid ${what}: ${issuesText(issues)}`, { details: { issues } });
}

/** A schema with a description for the OpenAPI document. */
const described = <T extends v.GenericSchema>(schema: T, text: string) => v.pipe(schema, v.description(text));
/** A safe integer (JSON carries it exactly), at least `min`. */
const int = (min = Number.MIN_SAFE_INTEGER) => v.pipe(v.number(), v.safeInteger(), v.minValue(min));
const str = v.string();
const nonEmpty = v.pipe(v.string(), v.minLength(1));
const bool = v.boolean();

export const ErrorBody = named('Error', 'Every error, whatever the route', v.strictObject({
  error: v.strictObject({
    code: described(v.picklist(ERROR_CODES), 'Stable code to match on'),
    message: described(str, 'What failed, why, and what to do'),
    details: v.optional(v.record(str, v.unknown())),
  }),
}));

export const DomainInfo = named('DomainInfo', 'A domain as list and dominfo show it', v.strictObject({
  name: str,
  uuid: v.pipe(str, v.uuid()),
  id: described(v.nullable(int(1)), 'Runtime id while active, null when shut off'),
  state: v.picklist(DOMAIN_STATES),
  reason: described(v.picklist(ALL_STATE_REASONS as string[]), 'Why the domain is in its state (libvirt reason)'),
  persistent: bool,
  autostart: bool,
  type: described(str, "Domain type: 'kvm' or 'qemu'"),
  osType: str,
  vcpus: int(0),
  maxMemoryKiB: int(0),
  currentMemoryKiB: int(0),
  title: v.nullable(str),
}));

export const DomainList = named('DomainList', 'Domains, sorted by name', v.strictObject({
  domains: v.array(DomainInfo),
}));

export const DefineResult = named('DefineResult', 'A definition stored', v.strictObject({
  domain: DomainInfo,
  created: described(bool, 'false when an existing definition was replaced'),
}));

export const CloneResult = named('CloneResult', 'A clone made (or, with printXml, only planned)', v.strictObject({
  domain: described(v.nullable(DomainInfo), 'The new domain; null with printXml'),
  xml: described(str, "The clone's definition"),
  disks: v.array(CloneDisk),
}));

export const DomainXml = named('DomainXml', 'Domain XML', v.strictObject({ xml: str }));

export const DomainStats = named('DomainStats', 'Statistics of a running domain', v.strictObject({
  cpuTimeNs: int(0),
  currentMemoryKiB: int(0),
  vcpus: int(0),
}));

const count = int(0);

export const DomStats = named('DomStats', 'virsh domstats: state always, the other groups while running', v.strictObject({
  name: str,
  state: v.picklist(DOMAIN_STATES),
  reason: v.picklist(ALL_STATE_REASONS as string[]),
  stateCode: described(count, "libvirt's virDomainState number"),
  reasonCode: described(count, "libvirt's number of the state's reason"),
  vcpuCurrent: count,
  vcpuMaximum: count,
  running: described(v.nullable(v.strictObject({
    cpuTimeNs: count,
    cpuUserNs: count,
    cpuSystemNs: count,
    balloon: v.strictObject({ currentKiB: count, maximumKiB: count }),
    vcpus: v.array(v.strictObject({ vcpu: count, state: v.picklist(['running', 'offline']), cpuTimeNs: count })),
    block: v.array(v.strictObject({
      name: described(str, 'Target (vda)'),
      path: v.nullable(str),
      rdReqs: count, rdBytes: count, wrReqs: count, wrBytes: count, flReqs: count,
      rdTimesNs: count, wrTimesNs: count, flTimesNs: count,
    })),
    net: v.array(v.strictObject({
      device: described(str, 'Host tap; counters are seen from the guest'),
      rxBytes: count, rxPackets: count, rxErrors: count, rxDrops: count,
      txBytes: count, txPackets: count, txErrors: count, txDrops: count,
    })),
  })), 'Null while the domain is not running'),
}));

const VcpuInfo = v.strictObject({
  vcpu: count,
  threadId: count,
  state: v.picklist(['running', 'offline']),
  cpuTimeNs: count,
  cpu: described(count, 'Host CPU it last ran on'),
  affinity: v.optional(described(v.array(count), 'Host CPUs it may run on')),
});

export const VcpuReport = named('VcpuReport', 'virsh vcpuinfo', v.strictObject({
  hostCpus: count,
  maximum: count,
  vcpus: described(v.nullable(v.array(VcpuInfo)), 'Null while the domain is not running'),
}));

const VcpuCounts = v.strictObject({ maximum: count, current: count });
export const VcpuCountReport = named('VcpuCountReport', 'virsh vcpucount', v.strictObject({
  config: described(v.nullable(VcpuCounts), 'Null for a transient domain'),
  live: described(v.nullable(VcpuCounts), 'Null while shut off'),
}));

export const NativeArgv = named('NativeArgv', 'A QEMU command line', v.strictObject({
  binary: str,
  args: v.array(str),
  env: v.record(str, str),
}));

export const XmlDocument = named('XmlDocument', 'An XML document (capabilities, domainCapabilities)', v.strictObject({ xml: str }));

export const NodeInfo = named('NodeInfo', 'Host CPU and memory (virsh nodeinfo)', v.strictObject({
  model: str,
  cpus: int(),
  mhz: int(),
  nodes: int(),
  sockets: int(),
  cores: int(),
  threads: int(),
  memoryKiB: int(),
}));

export const HostInfo = named('HostInfo', 'The daemon and its host', v.strictObject({
  hostname: str,
  version: described(str, 'virtkit version'),
  uri: described(str, 'URI of this daemon instance'),
  hypervisor: v.nullable(v.strictObject({ name: str, version: str })),
  node: NodeInfo,
}));

export const LifecycleEvent = named('LifecycleEvent', 'One message of GET /v1/events', v.strictObject({
  domain: str,
  uuid: v.pipe(str, v.uuid()),
  event: v.picklist(EVENT_KINDS as string[]),
  detail: v.picklist(ALL_EVENT_DETAILS as string[]),
  timestamp: v.pipe(str, v.isoTimestamp()),
}));

// Request bodies.

export const DefineBody = named('DefineRequest', 'Define (or redefine) a domain', v.strictObject({
  xml: described(nonEmpty, 'libvirt domain XML'),
}));

export const CreateBody = named('CreateRequest', 'Start a transient domain from XML', v.strictObject({
  xml: nonEmpty,
  paused: v.optional(bool),
}));

export const AutostartBody = named('AutostartRequest', 'Autostart flag', v.strictObject({ enabled: bool }));
const live = v.optional(described(bool, 'Change the running domain'));
const config = v.optional(described(bool, 'Change the persistent definition (neither flag: the running domain if it runs, else the definition)'));
export const MemoryBody = named('MemoryRequest', 'Memory size (virsh setmem)', v.strictObject({ kib: int(1), live, config }));
export const MaxMemoryBody = named('MaxMemoryRequest', 'Maximum memory size (virsh setmaxmem): definition only', v.strictObject({
  kib: int(1), live, config,
}));
export const VcpusBody = named('VcpusRequest', 'vCPU count (virsh setvcpus)', v.strictObject({
  count: int(1), live, config,
  maximum: v.optional(described(bool, 'Set the maximum (with config)')),
}));
export const DomxmlToNativeBody = named('DomxmlToNativeRequest', 'Domain XML to translate', v.strictObject({
  format: v.literal('qemu-argv'),
  xml: nonEmpty,
}));

const shutdownMode = v.optional(v.picklist(['acpi', 'agent']));
export const StartBody = named('StartRequest', 'Options of start', v.strictObject({ paused: v.optional(bool) }));
export const ShutdownBody = named('ShutdownRequest', 'Options of shutdown', v.strictObject({ mode: shutdownMode }));
export const RebootBody = named('RebootRequest', 'Options of reboot', v.strictObject({ mode: shutdownMode }));
export const DestroyBody = named('DestroyRequest', 'Options of destroy', v.strictObject({
  graceful: v.optional(described(bool, 'SIGTERM only, never SIGKILL')),
}));
export const EmptyBody = named('EmptyRequest', 'No options (an empty body is fine too)', v.strictObject({}));
