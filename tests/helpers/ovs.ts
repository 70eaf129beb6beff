/**
 * A private Open vSwitch for one test: ovsdb-server (a fresh database from Debian's schema) and
 * ovs-vswitchd, both children of the test, with their database, sockets, pid files, logs and the
 * bridges' management sockets in a temp dir (OVS_RUNDIR and friends point there): nothing of the
 * host's own OVS (if any) is touched, and the package's service is not needed. Bridges use the
 * userspace datapath (datapath_type=netdev): this kernel has no openvswitch module. `stop()`
 * deletes the bridges the test left, asks ovs-vswitchd to exit with --cleanup, stops
 * ovsdb-server, reaps both and removes the dir.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Ovs } from '../../src/host/net/ovs.js';
import { until } from './wait.js';

const run = promisify(execFile);
const SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema';

export interface OvsLab {
  readonly dir: string;
  /** unix:DIR/db.sock */
  readonly db: string;
  readonly ovs: Ovs;
  /** ovs-vswitchd's log, for a failing test's message. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

/** Whether Debian's openvswitch-switch is installed (scripts/setup.sh installs it). */
export async function haveOvs(): Promise<boolean> {
  return access(SCHEMA).then(() => access('/usr/sbin/ovs-vswitchd')).then(() => true, () => false);
}

async function waitExit(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await exited;
  clearTimeout(timer);
}

function daemon(bin: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(bin, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.resume();
  return child;
}

export async function startOvs(): Promise<OvsLab> {
  const dir = await mkdtemp(join(tmpdir(), 'vk-ovs-'));
  const env = { ...process.env, OVS_RUNDIR: dir, OVS_LOGDIR: dir, OVS_DBDIR: dir, OVS_SYSCONFDIR: dir, OVS_PKGDATADIR: '/usr/share/openvswitch' };
  const db = `unix:${join(dir, 'db.sock')}`;
  const ovs = new Ovs({ db });
  let server: ChildProcess | undefined;
  let vswitchd: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    if (vswitchd !== undefined && vswitchd.exitCode === null) {
      for (const br of await ovs.listBridges().catch(() => [])) await ovs.delBridge(br, { ifExists: true }).catch(() => undefined);
      await run('ovs-appctl', [`--target=${join(dir, 'ovs-vswitchd.ctl')}`, 'exit', '--cleanup'], { env }).catch(() => vswitchd?.kill('SIGTERM'));
      await waitExit(vswitchd, 10_000);
    }
    if (server !== undefined) {
      server.kill('SIGTERM');
      await waitExit(server, 10_000);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await run('ovsdb-tool', ['create', join(dir, 'conf.db'), SCHEMA], { env });
    server = daemon('ovsdb-server', [join(dir, 'conf.db'), `--remote=p${db}`, `--pidfile=${join(dir, 'ovsdb-server.pid')}`,
      `--unixctl=${join(dir, 'ovsdb-server.ctl')}`, `--log-file=${join(dir, 'ovsdb-server.log')}`], env);
    await until('ovsdb-server listening', () => access(join(dir, 'db.sock')).then(() => true, () => undefined), 20_000);
    await ovs.vsctl(['--no-wait', 'init']);
    vswitchd = daemon('ovs-vswitchd', [db, `--pidfile=${join(dir, 'ovs-vswitchd.pid')}`, `--unixctl=${join(dir, 'ovs-vswitchd.ctl')}`,
      `--log-file=${join(dir, 'ovs-vswitchd.log')}`], env);
    await until('ovs-vswitchd up', () => access(join(dir, 'ovs-vswitchd.ctl')).then(() => true, () => undefined), 20_000);
    // One 802.1Q tag per packet (OVS's default, said explicitly: the VLAN test relies on access ports). Without
    // --no-wait ovs-vsctl waits for ovs-vswitchd to apply a change: this returns once it runs, and later a
    // bridge's device exists when add-br returns.
    await ovs.vsctl(['set', 'Open_vSwitch', '.', 'other_config:vlan-limit=1']);
    return { dir, db, ovs, log: () => readFile(join(dir, 'ovs-vswitchd.log'), 'utf8').catch(() => ''), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
