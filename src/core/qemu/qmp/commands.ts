/**
 * The QMP commands virtkit sends, with argument and return types, so that
 * `conn.execute('query-status')` is typed end to end. A command missing here
 * can still be sent untyped with `executeRaw`; add it here once it is used.
 *
 * QEMU 7.2 has no `query-accelerators` (added in 8.2): ask
 * `qom-list-types {implements: 'accel'}` for what is built in.
 */
import type { QemuVersionInfo } from './messages.js';
import type {
  QmpBalloonInfo, QmpBlockInfo, QmpBlockStatsEntry, QmpChardevInfo, QmpCpuDefinition, QmpCpuModelExpansion, QmpCpuFast, QmpKvmInfo,
  QmpMachineInfo, QmpObjectPropertyInfo, QmpObjectTypeInfo, QmpPciBus, QmpSchemaEntry, QmpStatusInfo,
} from './command-types.js';

/** Arguments of a command that takes none. */
export type NoArgs = Record<never, never>;
/** The `{}` most commands return. */
export type Empty = Record<never, never>;

interface Cmd<A, R> {
  readonly args: A;
  readonly ret: R;
}

export interface QmpCommands {
  qmp_capabilities: Cmd<{ enable?: readonly string[] }, Empty>;
  'query-version': Cmd<NoArgs, QemuVersionInfo>;
  'query-status': Cmd<NoArgs, QmpStatusInfo>;
  cont: Cmd<NoArgs, Empty>;
  stop: Cmd<NoArgs, Empty>;
  system_powerdown: Cmd<NoArgs, Empty>;
  system_reset: Cmd<NoArgs, Empty>;
  /** QEMU may close the socket before the reply arrives; the connection counts that as success. */
  quit: Cmd<NoArgs, Empty>;
  device_del: Cmd<{ id: string }, Empty>;
  'query-pci': Cmd<NoArgs, readonly QmpPciBus[]>;
  'query-cpus-fast': Cmd<NoArgs, readonly QmpCpuFast[]>;
  'query-block': Cmd<NoArgs, readonly QmpBlockInfo[]>;
  'query-blockstats': Cmd<{ 'query-nodes'?: boolean }, readonly QmpBlockStatsEntry[]>;
  /** Fails with DeviceNotActive when the guest has no balloon device. */
  'query-balloon': Cmd<NoArgs, QmpBalloonInfo>;
  /** Target guest memory, in bytes. */
  balloon: Cmd<{ value: number }, Empty>;
  'query-machines': Cmd<NoArgs, readonly QmpMachineInfo[]>;
  'query-cpu-definitions': Cmd<NoArgs, readonly QmpCpuDefinition[]>;
  /** static: the model as 'base' plus every feature it sets; full: every property. */
  'query-cpu-model-expansion': Cmd<{ type: 'static' | 'full'; model: { name: string } }, QmpCpuModelExpansion>;
  'qom-list-types': Cmd<{ implements?: string; abstract?: boolean }, readonly QmpObjectTypeInfo[]>;
  /** Fails with DeviceNotFound for an unknown type name. */
  'device-list-properties': Cmd<{ typename: string }, readonly QmpObjectPropertyInfo[]>;
  'query-kvm': Cmd<NoArgs, QmpKvmInfo>;
  'query-qmp-schema': Cmd<NoArgs, readonly QmpSchemaEntry[]>;
  'query-chardev': Cmd<NoArgs, readonly QmpChardevInfo[]>;
  /** An HMP command line; returns its text output ("\r\n" line ends). */
  'human-monitor-command': Cmd<{ 'command-line': string; 'cpu-index'?: number }, string>;
}

export type QmpCommandName = keyof QmpCommands;
export type QmpArgs<C extends QmpCommandName> = QmpCommands[C]['args'];
export type QmpResult<C extends QmpCommandName> = QmpCommands[C]['ret'];

/** True when every argument of C is optional, so that `execute(C)` may leave them out. */
export type ArgsOptional<C extends QmpCommandName> = NoArgs extends QmpArgs<C> ? true : false;
