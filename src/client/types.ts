/**
 * What the daemon's API sends and takes, as TypeScript types. The daemon
 * defines them as valibot schemas (src/daemon/api/schemas.ts); the client may not
 * import the daemon, and does not load a schema library (the CLI starts faster),
 * so they are written out here. tests/integration/daemon-api.test.ts checks
 * at compile time that both stay the same.
 */
export type DomainState = 'nostate' | 'running' | 'blocked' | 'paused' | 'shutdown' | 'shutoff' | 'crashed' | 'pmsuspended';

export type StateGroup = 'running' | 'paused' | 'shutoff' | 'other';

export interface DomainInfo {
  name: string;
  uuid: string;
  /** Runtime id while active, null when shut off. */
  id: number | null;
  state: DomainState;
  /** libvirt's reason for the state, kebab-case: booted, unpaused, user, destroyed... */
  reason: string;
  persistent: boolean;
  autostart: boolean;
  type: string;
  osType: string;
  vcpus: number;
  maxMemoryKiB: number;
  currentMemoryKiB: number;
  title: string | null;
}

export interface DefineResult {
  domain: DomainInfo;
  /** false when an existing definition was replaced. */
  created: boolean;
}

export interface DomainStats {
  cpuTimeNs: number;
  currentMemoryKiB: number;
  vcpus: number;
}

export interface NodeInfo {
  model: string;
  cpus: number;
  mhz: number;
  nodes: number;
  sockets: number;
  cores: number;
  threads: number;
  memoryKiB: number;
}

export interface HostInfo {
  hostname: string;
  version: string;
  uri: string;
  hypervisor: { name: string; version: string } | null;
  node: NodeInfo;
}

export interface LifecycleEvent {
  domain: string;
  uuid: string;
  /** defined, undefined, started, suspended, resumed, stopped, shutdown, pmsuspended, crashed */
  event: string;
  /** libvirt's detail: added, booted, paused, unpaused, destroyed, shutdown, crashed... */
  detail: string;
  timestamp: string;
}

export interface ListFilter {
  states?: readonly StateGroup[];
  active?: boolean;
  persistent?: boolean;
  autostart?: boolean;
}

export type ShutdownMode = 'acpi' | 'agent';

/** Lifecycle actions and the options each takes. */
export interface ActionOptions {
  start: { paused?: boolean | undefined };
  shutdown: { mode?: ShutdownMode | undefined };
  reboot: { mode?: ShutdownMode | undefined };
  reset: Record<string, never>;
  destroy: { graceful?: boolean | undefined };
  suspend: Record<string, never>;
  resume: Record<string, never>;
}

export type LifecycleAction = keyof ActionOptions;

export interface JobOptions {
  /** Wait up to this many ms for a job already running on the domain (default: fail at once). */
  wait?: number;
}

/** virsh domstats (GET /v1/domains/{id}/domstats). */
export interface DomStats {
  name: string;
  state: DomainState;
  reason: string;
  /** libvirt's numbers, as domstats prints them. */
  stateCode: number;
  reasonCode: number;
  vcpuCurrent: number;
  vcpuMaximum: number;
  /** Null while the domain is not running. */
  running: {
    cpuTimeNs: number;
    cpuUserNs: number;
    cpuSystemNs: number;
    balloon: { currentKiB: number; maximumKiB: number };
    vcpus: { vcpu: number; state: 'running' | 'offline'; cpuTimeNs: number }[];
    block: {
      name: string; path: string | null; rdReqs: number; rdBytes: number; wrReqs: number; wrBytes: number; flReqs: number;
      rdTimesNs: number; wrTimesNs: number; flTimesNs: number;
    }[];
    net: {
      device: string; rxBytes: number; rxPackets: number; rxErrors: number; rxDrops: number;
      txBytes: number; txPackets: number; txErrors: number; txDrops: number;
    }[];
  } | null;
}

export interface VcpuInfo {
  vcpu: number;
  threadId: number;
  state: 'running' | 'offline';
  cpuTimeNs: number;
  /** Host CPU it last ran on. */
  cpu: number;
  /** Host CPUs it may run on. */
  affinity?: number[] | undefined;
}

/** virsh vcpuinfo. */
export interface VcpuReport {
  hostCpus: number;
  maximum: number;
  /** Null while the domain is not running. */
  vcpus: VcpuInfo[] | null;
}

export interface VcpuCounts {
  maximum: number;
  current: number;
}

/** virsh vcpucount. */
export interface VcpuCountReport {
  config: VcpuCounts | null;
  live: VcpuCounts | null;
}

/** A QEMU command line (domxml-to-native). */
export interface NativeArgv {
  binary: string;
  args: string[];
  env: Record<string, string>;
}

/** virsh's --live / --config (neither: the running domain if it runs, else the definition). */
export interface ImpactOptions {
  live?: boolean | undefined;
  config?: boolean | undefined;
}

export interface DomainCapsQuery {
  emulator?: string | undefined;
  arch?: string | undefined;
  machine?: string | undefined;
  virttype?: string | undefined;
}
