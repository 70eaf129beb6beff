/**
 * A private Open vSwitch for one test: ovsdb-server (a fresh database from Debian's schema) and
 * ovs-vswitchd, both children of the test, with their database, sockets, pid files, logs and the
 * bridges' management sockets in a temp dir (OVS_RUNDIR and friends point there): nothing of the
 * host's own OVS (if any) is touched, and the package's service is not needed. Bridges use the
 * userspace datapath (datapath_type=netdev): this kernel has no openvswitch module. That datapath
 * has one device per network namespace (`ovs-netdev`, a tap): a second ovs-vswitchd cannot open
 * it and makes no bridge. So the labs of this host take turns: a lock dir, /tmp/virtkit-ovs-netdev.lock (the
 * holder's pid inside; a dead holder's lock is taken over), and then no `ovs-netdev` of anyone
 * else's may exist. `stop()` deletes the bridges the test left, asks ovs-vswitchd to exit with
 * --cleanup (which removes `ovs-netdev`), stops ovsdb-server, reaps both, removes the dir and
 * releases the lock.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { access, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Links } from '../../src/host/net/links.js';
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

// A fixed path, not TMPDIR: runs with their own TMPDIR must take turns too.
const LOCK = '/tmp/virtkit-ovs-netdev.lock';

const alive = (pid: number): boolean => {
  try { process.kill(pid, 0); return true; } catch { return false; }
};

/** Waits for this host's userspace-datapath lock; resolves its release. */
async function lockNetdev(): Promise<() => Promise<void>> {
  await until(`the Open vSwitch userspace datapath (${LOCK})`, async () => {
    try {
      await mkdir(LOCK);
      await writeFile(join(LOCK, 'pid'), String(process.pid));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number((await readFile(join(LOCK, 'pid'), 'utf8').catch(() => '')).trim());
      const age = Date.now() - ((await stat(LOCK).catch(() => undefined))?.mtimeMs ?? Date.now());
      // A holder that died, or one that died between mkdir and writing its pid.
      if ((pid > 0 && !alive(pid)) || (!(pid > 0) && age > 60_000)) await rm(LOCK, { recursive: true, force: true });
      return undefined;
    }
  }, 600_000);
  return () => rm(LOCK, { recursive: true, force: true });
}

export async function startOvs(): Promise<OvsLab> {
  const unlock = await lockNetdev();
  try {
    await until("no other ovs-vswitchd's userspace datapath (device ovs-netdev) on this host", async () => (await new Links().get('ovs-netdev')) === undefined || undefined, 120_000);
  } catch (e) {
    await unlock();
    throw e;
  }
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
    await unlock();
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
