/**
 * Argument and return types of the QMP commands virtkit uses, as QEMU 7.2
 * documents them in its schema (qapi/*.json). Only the fields virtkit reads
 * are spelled out; QEMU may send more, and newer QEMUs add fields.
 */

/** RunState in qapi/run-state.json. */
export type QmpRunStatus =
  | 'debug' | 'inmigrate' | 'internal-error' | 'io-error' | 'paused' | 'postmigrate' | 'prelaunch'
  | 'finish-migrate' | 'restore-vm' | 'running' | 'save-vm' | 'shutdown' | 'suspended' | 'watchdog'
  | 'guest-panicked' | 'colo';

export interface QmpStatusInfo {
  readonly status: QmpRunStatus;
  readonly running: boolean;
  /** Gone in QEMU 8.1. */
  readonly singlestep?: boolean;
}

export interface QmpPciDevice {
  readonly bus: number;
  readonly slot: number;
  readonly function: number;
  readonly class_info: { readonly class: number; readonly desc?: string };
  readonly id: { readonly vendor: number; readonly device: number; readonly subsystem?: number; readonly 'subsystem-vendor'?: number };
  readonly irq?: number;
  readonly irq_pin?: number;
  /** The -device id=, '' for built-in devices. */
  readonly qdev_id: string;
  readonly pci_bridge?: { readonly bus: { readonly number: number; readonly secondary: number; readonly subordinate: number }; readonly devices?: readonly QmpPciDevice[] };
  readonly regions: readonly Readonly<Record<string, unknown>>[];
}

export interface QmpPciBus {
  readonly bus: number;
  readonly devices: readonly QmpPciDevice[];
}

export interface QmpCpuFast {
  readonly 'cpu-index': number;
  readonly 'qom-path': string;
  /** The host thread running this vCPU. */
  readonly 'thread-id': number;
  readonly props?: Readonly<Record<string, number>>;
  readonly target: string;
}

export interface QmpBlockInserted {
  readonly file: string;
  readonly 'node-name'?: string;
  readonly ro: boolean;
  readonly drv: string;
  readonly encrypted: boolean;
  readonly backing_file?: string;
  readonly backing_file_depth: number;
  readonly image?: Readonly<Record<string, unknown>>;
}

export interface QmpBlockInfo {
  /** The legacy drive name; '' for -blockdev nodes. */
  readonly device: string;
  /** The frontend's QOM path or id. */
  readonly qdev?: string;
  readonly removable: boolean;
  readonly locked: boolean;
  readonly inserted?: QmpBlockInserted;
  readonly tray_open?: boolean;
  readonly 'io-status'?: 'ok' | 'failed' | 'nospace';
}

export interface QmpBlockStats {
  readonly rd_bytes: number;
  readonly wr_bytes: number;
  readonly rd_operations: number;
  readonly wr_operations: number;
  readonly flush_operations: number;
  readonly rd_total_time_ns: number;
  readonly wr_total_time_ns: number;
  readonly flush_total_time_ns: number;
  readonly wr_highest_offset: number;
  readonly [more: string]: unknown;
}

export interface QmpBlockStatsEntry {
  readonly device?: string;
  readonly 'node-name'?: string;
  readonly qdev?: string;
  readonly stats: QmpBlockStats;
  readonly parent?: QmpBlockStatsEntry;
  readonly backing?: QmpBlockStatsEntry;
}

export interface QmpBalloonInfo {
  /** Guest memory in bytes, as the balloon driver reports it. */
  readonly actual: number;
}

export interface QmpMachineInfo {
  readonly name: string;
  readonly alias?: string;
  readonly 'is-default'?: boolean;
  readonly 'cpu-max': number;
  readonly 'hotpluggable-cpus': boolean;
  readonly 'numa-mem-supported': boolean;
  readonly deprecated: boolean;
  readonly 'default-cpu-type'?: string;
  readonly 'default-ram-id'?: string;
}

export interface QmpCpuDefinition {
  readonly name: string;
  readonly typename: string;
  /** Features the current accelerator cannot provide (TCG during a caps probe). */
  readonly 'unavailable-features'?: readonly string[];
  readonly 'alias-of'?: string;
  readonly static: boolean;
  readonly 'migration-safe'?: boolean;
  readonly deprecated: boolean;
}

/** query-cpu-model-expansion's reply: the model as a base model plus properties. */
export interface QmpCpuModelExpansion {
  readonly model: { readonly name: string; readonly props?: Readonly<Record<string, unknown>> };
}

export interface QmpObjectTypeInfo {
  readonly name: string;
  readonly parent?: string;
  readonly abstract?: boolean;
}

export interface QmpObjectPropertyInfo {
  readonly name: string;
  readonly type: string;
  readonly description?: string;
  readonly 'default-value'?: unknown;
}

export interface QmpKvmInfo {
  readonly enabled: boolean;
  readonly present: boolean;
}

/** One entry of query-qmp-schema; type names other than builtins are opaque numbers. */
export interface QmpSchemaEntry {
  readonly name: string;
  readonly 'meta-type': 'builtin' | 'enum' | 'array' | 'object' | 'alternate' | 'command' | 'event';
  readonly 'arg-type'?: string;
  readonly 'ret-type'?: string;
  readonly 'element-type'?: string;
  readonly members?: readonly { readonly name: string; readonly type?: string; readonly default?: unknown }[];
  readonly variants?: readonly { readonly case: string; readonly type: string }[];
  readonly values?: readonly string[];
  readonly tag?: string;
}

export interface QmpChardevInfo {
  readonly label: string;
  readonly filename: string;
  readonly 'frontend-open': boolean;
}
