/**
 * Open vSwitch through `ovs-vsctl` (an argument array, never a shell): bridges (datapath_type
 * netdev, the userspace datapath, by default: it needs no openvswitch kernel module), ports with
 * VLAN settings and the external-ids libvirt sets (virNetDevOpenvswitchAddPort), listing.
 * Every call names the database socket (`--db`, default unix:/var/run/openvswitch/db.sock) and a
 * `--timeout`, so a missing ovsdb-server is an error, not a hang. A failure is a VirtkitError
 * quoting ovs-vsctl's stderr: HOST_NET_FAILED (HOST_UNSUPPORTED when ovs-vsctl is not installed).
 */
import { execFile } from 'node:child_process';
import { VirtkitError } from '../../core/errors.js';
import { checkIfName } from './link-names.js';

/** The database socket of Debian's openvswitch-switch service. */
export const DEFAULT_OVS_DB = 'unix:/var/run/openvswitch/db.sock';

/** Runs `ovs-vsctl ARGS`; resolves stdout, or rejects with the exit code and stderr. */
export type OvsRunner = (args: readonly string[]) => Promise<string>;

/** VLAN settings of a port, as libvirt's <vlan> says them. */
export interface OvsVlan {
  /** <tag id>: one for an access port, several for a trunk. */
  readonly tags: readonly number[];
  /** <vlan trunk='yes'>, or more than one tag. */
  readonly trunk: boolean;
  /** The tag with nativeMode='tagged' or 'untagged', if any. */
  readonly native?: { readonly tag: number; readonly mode: 'tagged' | 'untagged' };
}

export interface OvsPortSpec {
  readonly bridge: string;
  readonly port: string;
  readonly vlan?: OvsVlan;
  /** external-ids:attached-mac: the guest's MAC (not the tap's). */
  readonly attachedMac?: string;
  /** external-ids:iface-id: <virtualport><parameters interfaceid>. */
  readonly ifaceId?: string;
  /** external-ids:vm-id: the domain's UUID. */
  readonly vmUuid?: string;
  /** external-ids:port-profile: <virtualport><parameters profileid>. */
  readonly profileId?: string;
}

/** ovs-vsctl's column arguments for `vlan`, as libvirt's virNetDevOpenvswitchConstructVlans writes them. */
export function vlanArgs(vlan: OvsVlan | undefined): string[] {
  if (vlan === undefined || vlan.tags.length === 0) return [];
  const out: string[] = [];
  if (vlan.native !== undefined) out.push(`vlan_mode=native-${vlan.native.mode}`, `tag=${vlan.native.tag}`);
  if (vlan.trunk || vlan.tags.length > 1) out.push(`trunks=${vlan.tags.join(',')}`);
  else out.push(`tag=${vlan.tags[0] ?? 0}`);
  return out;
}

/** The ovs-vsctl arguments (after --db and --timeout) that (re)add a port, as libvirt does: a stale port of that name goes first. */
export function addPortArgs(spec: OvsPortSpec): string[] {
  const ids: [string, string | undefined][] = [
    ['attached-mac', spec.attachedMac], ['iface-id', spec.ifaceId], ['iface-status', 'active'],
    ['vm-id', spec.vmUuid], ['port-profile', spec.profileId],
  ];
  return [
    '--', '--if-exists', 'del-port', spec.port,
    '--', 'add-port', spec.bridge, spec.port, ...vlanArgs(spec.vlan),
    ...ids.flatMap(([k, v]) => v === undefined ? [] : ['--', 'set', 'Interface', spec.port, `external-ids:${k}="${v}"`]),
  ];
}

const dbRemote = (db: string): string => /^(unix|tcp|ssl|punix|ptcp|pssl):/u.test(db) ? db : `unix:${db}`;

export function runOvsVsctl(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ovs-vsctl', [...args], { encoding: 'utf8', maxBuffer: 16 << 20, env: { ...process.env, LC_ALL: 'C' } }, (err, stdout, stderr) => {
      if (!err) { resolve(stdout); return; }
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        reject(new VirtkitError('HOST_UNSUPPORTED', 'cannot run ovs-vsctl: Open vSwitch is not installed (Debian: openvswitch-switch)', { cause: err }));
        return;
      }
      const said = (stderr || err.message).trim();
      reject(new VirtkitError('HOST_NET_FAILED', `ovs-vsctl ${args.join(' ')} failed: ${said}`, {
        details: { command: ['ovs-vsctl', ...args], stderr: said, exitCode: typeof code === 'number' ? code : null }, cause: err,
      }));
    });
  });
}

export interface OvsOptions {
  /** The ovsdb-server to talk to: a socket path or an ovsdb remote (unix:, tcp:...). */
  readonly db?: string;
  /** ovs-vsctl's --timeout in seconds (default 5, as libvirt). */
  readonly timeoutS?: number;
  readonly run?: OvsRunner;
}

const detail = (e: unknown): { exitCode?: unknown; stderr?: unknown } | undefined =>
  e instanceof VirtkitError ? e.details as { exitCode?: unknown; stderr?: unknown } | undefined : undefined;
const exitCode = (e: unknown): unknown => detail(e)?.exitCode;
const stderrOf = (e: unknown): string => String(detail(e)?.stderr ?? '');

export class Ovs {
  readonly db: string;
  readonly #timeout: number;
  readonly #run: OvsRunner;

  constructor(opts: OvsOptions = {}) {
    this.db = dbRemote(opts.db ?? DEFAULT_OVS_DB);
    this.#timeout = opts.timeoutS ?? 5;
    this.#run = opts.run ?? runOvsVsctl;
  }

  vsctl(args: readonly string[]): Promise<string> {
    return this.#run([`--db=${this.db}`, `--timeout=${this.#timeout}`, ...args]);
  }

  /** A bridge (kept when it exists); `datapathType` 'netdev' (default) is the userspace datapath, 'system' the kernel's. */
  async addBridge(name: string, opts: { datapathType?: 'netdev' | 'system' } = {}): Promise<void> {
    checkIfName(name, 'bridge name');
    await this.vsctl(['--', '--may-exist', 'add-br', name, '--', 'set', 'Bridge', name, `datapath_type=${opts.datapathType ?? 'netdev'}`]);
    await this.#checkInterface(name, 'bridge', () => this.delBridge(name, { ifExists: true }));
  }

  /**
   * ovs-vsctl succeeds once the database has the record, whether or not ovs-vswitchd could make
   * it work: a port whose device is missing gets ofport -1 and an `error`, a bridge whose datapath
   * cannot open (a second ovs-vswitchd with the userspace datapath: its `ovs-netdev` device is
   * per namespace) no ofport at all. Such a record is removed and the failure reported.
   */
  async #checkInterface(name: string, what: 'bridge' | 'port', undo: () => Promise<void>): Promise<void> {
    const [ofport = '', error = '[]'] = lines(await this.vsctl(['get', 'Interface', name, 'ofport', 'error']));
    if (/^\d+$/u.test(ofport) && error === '[]') return;
    await undo().catch(() => undefined);
    const why = error !== '[]' ? error.replace(/^"|"$/gu, '') : 'ovs-vswitchd gave it no OpenFlow port (is ovs-vswitchd running? see its log; ' +
      "with the userspace datapath only one ovs-vswitchd per network namespace works: its datapath device 'ovs-netdev' is shared)";
    throw new VirtkitError('HOST_NET_FAILED', `Open vSwitch could not add ${what} '${name}': ${why}`, { details: { [what]: name, ofport, error, db: this.db } });
  }

  async delBridge(name: string, opts: { ifExists?: boolean } = {}): Promise<void> {
    checkIfName(name, 'bridge name');
    await this.vsctl([...(opts.ifExists === true ? ['--if-exists'] : []), 'del-br', name]);
  }

  /** Whether `name` is an OVS bridge (`br-exists` exits 2 when it is not). */
  async bridgeExists(name: string): Promise<boolean> {
    try {
      await this.vsctl(['br-exists', name]);
      return true;
    } catch (e) {
      if (exitCode(e) === 2) return false;
      throw e;
    }
  }

  async listBridges(): Promise<string[]> {
    return lines(await this.vsctl(['list-br']));
  }

  async addPort(spec: OvsPortSpec): Promise<void> {
    checkIfName(spec.bridge, 'bridge name');
    checkIfName(spec.port, 'port name');
    await this.vsctl(addPortArgs(spec));
    await this.#checkInterface(spec.port, 'port', () => this.delPort(spec.port, { ifExists: true }));
  }

  /** Removes a port from whichever bridge has it; with `ifExists` a missing port is no error. */
  async delPort(port: string, opts: { ifExists?: boolean } = {}): Promise<void> {
    checkIfName(port, 'port name');
    await this.vsctl([...(opts.ifExists === true ? ['--if-exists'] : []), 'del-port', port]);
  }

  async listPorts(bridge: string): Promise<string[]> {
    checkIfName(bridge, 'bridge name');
    return lines(await this.vsctl(['list-ports', bridge]));
  }

  /** The bridge that has `port`, or undefined (`port-to-br` exits 1 for an unknown port, as for a database it cannot reach: stderr tells them apart). */
  async bridgeOf(port: string): Promise<string | undefined> {
    try {
      return (await this.vsctl(['port-to-br', port])).trim();
    } catch (e) {
      if (exitCode(e) === 1 && /no port named/u.test(stderrOf(e))) return undefined;
      throw e;
    }
  }

  /** One column of a record, as ovs-vsctl prints it (e.g. `10`, `[]`, `{attached-mac="..."}`). */
  async get(table: 'Bridge' | 'Port' | 'Interface', record: string, column: string): Promise<string> {
    return (await this.vsctl(['get', table, record, column])).trim();
  }
}

const lines = (s: string): string[] => s.split('\n').map((l) => l.trim()).filter((l) => l !== '');
