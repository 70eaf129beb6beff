/**
 * A one-node Ceph cluster for tests: one monitor and one OSD (memstore: the objects live in the
 * OSD's memory), Debian 12's ceph 16.2 packages (ceph-mon, ceph-osd, ceph-common: scripts/setup.sh),
 * no manager, no systemd. Everything is under one temporary directory (config, monitor store, OSD
 * dir, logs, admin sockets); the daemons run in the foreground as children of this process, on
 * loopback only: the monitor on a free port, msgr v1 only (a libvirt <host port='P'/> without a
 * v2 prefix means v1 to librados unless P is 3300), authentication off (auth none on every side,
 * so QEMU's rbd driver needs no user, key or conf file), or with `{ cephx: true }` cephx required
 * everywhere (keyrings for the monitor, client.admin and the OSD in the directory; a client for
 * QEMU is added with `ceph auth get-or-create`). stop() ends the OSD then the monitor and
 * removes the directory; `timings` says how long each step took (docs/testing.md).
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { until } from './wait.js';

const execFileP = promisify(execFile);
const TOOL_TIMEOUT_MS = 90_000;

export interface CephDaemon {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves when the process has exited (code, or the signal that ended it). */
  readonly exited: Promise<string>;
  stderr: string;
}

export interface CephCluster {
  readonly dir: string;
  readonly conf: string;
  /** The monitor's port on 127.0.0.1 (msgr v1). */
  readonly port: number;
  readonly daemons: readonly CephDaemon[];
  /** Milliseconds per step: monMkfs, monUp, osdMkfs, osdUp, pool; stop once stopped. */
  readonly timings: Record<string, number>;
  /** `ceph -c CONF ARGS...`, its stdout. */
  ceph(...args: string[]): Promise<string>;
  /** `rbd -c CONF ARGS...`, its stdout as bytes (`rbd export IMAGE -` writes the image there). */
  rbd(...args: string[]): Promise<Buffer>;
  /** How each daemon ended (stop() sends SIGTERM, then SIGKILL after 20 s), once stopped. */
  stop(): Promise<Record<string, string>>;
}

/** Whether this machine has the ceph daemons and tools (scripts/setup.sh installs them). */
export async function cephInstalled(): Promise<boolean> {
  try {
    await execFileP('sh', ['-c', 'command -v ceph-mon && command -v ceph-osd && command -v ceph && command -v rbd']);
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => srv.once('error', reject).listen(0, '127.0.0.1', resolve));
  const addr = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  if (addr === null || typeof addr === 'string') throw new Error('no TCP port for the ceph monitor');
  return addr.port;
}

function cephConf(dir: string, fsid: string, port: number, cephx: boolean): string {
  const auth = cephx ? 'cephx' : 'none';
  return `[global]
fsid = ${fsid}
mon host = v1:127.0.0.1:${port}
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr2 = false
auth cluster required = ${auth}
auth service required = ${auth}
auth client required = ${auth}
${cephx ? `keyring = ${dir}/admin.keyring\n` : ''}osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd objectstore = memstore
memstore device bytes = ${256 << 20}
run dir = ${dir}/run
admin socket = ${dir}/run/$name.asok
pid file = ${dir}/run/$name.pid
log file = ${dir}/log/$name.log
[mon]
mon data = ${dir}/mon/$cluster-$id
[osd]
osd data = ${dir}/osd/$cluster-$id
${cephx ? 'keyring = $osd_data/keyring\n' : ''}`;
}

function startDaemon(name: string, bin: string, args: string[]): CephDaemon {
  const child = spawn(bin, [...args, '-f'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<string>((resolve) => child.once('exit', (code, sig) => resolve(sig ?? `exit ${code}`)));
  const d: CephDaemon = { name, child, exited, stderr: '' };
  child.stderr?.on('data', (c: Buffer) => (d.stderr += c.toString()));
  return d;
}

/** The time `step` takes, into `timings[name]`. */
async function timed<T>(timings: Record<string, number>, name: string, step: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const v = await step();
  timings[name] = Math.round(performance.now() - t0);
  return v;
}

/**
 * One cluster at a time on this machine: two clusters (two test files in parallel, or two
 * checkouts) once crossed wires (a client with another fsid at our monitor, EPERM, then a tool
 * waiting forever). The lock is flock(1) on /tmp/virtkit-ceph-cluster.lock (a fixed path, not
 * TMPDIR: a test run with its own TMPDIR must still take turns), held by a child that lives
 * until release() ends its stdin; the kernel drops it if this process dies.
 */
async function clusterLock(): Promise<() => Promise<void>> {
  const holder = spawn('flock', ['/tmp/virtkit-ceph-cluster.lock', 'sh', '-c', 'echo locked; exec cat >/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => holder.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    holder.stdout?.once('data', () => resolve());
    holder.once('exit', (code) => reject(new Error(`flock exited (${code}) before taking the ceph cluster lock`)));
  });
  return async () => {
    holder.stdin?.end();
    await exited;
  };
}

/**
 * Starts the cluster with one replicated pool, `pool`, initialised for RBD. Ceph 16's clients
 * (the ceph tool, the OSD at its start) now and then send a command before they have the
 * monitor's map, with a zero fsid, and the monitor refuses it ("on fsid 00000000-... != ...",
 * EPERM, or the OSD exits with 'wrong fsid'): seen in several starts on this
 * machine. Such a start is thrown away whole and made again (a new directory and port), up to
 * three times; any other failure is reported at once.
 */
export async function startCephCluster(pool = 'rbd', opts: { cephx?: boolean } = {}): Promise<CephCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startClusterOnce(pool, opts);
    } catch (e) {
      const text = String((e as Error).message);
      if (attempt >= 3 || !/wrong fsid|on fsid 0{8}-/.test(text)) throw e;
      process.stderr.write(`# ceph one-node cluster: start ${attempt} met ceph's zero-fsid race; starting a fresh cluster\n`);
    }
  }
}

async function startClusterOnce(pool: string, opts: { cephx?: boolean }): Promise<CephCluster> {
  const cephx = opts.cephx === true;
  const unlock = await clusterLock();
  const dir = await mkdtemp(join(tmpdir(), 'vk-ceph-'));
  const conf = join(dir, 'ceph.conf');
  const fsid = randomUUID();
  const port = await freePort();
  const daemons: CephDaemon[] = [];
  const timings: Record<string, number> = {};
  const tool = async (bin: string, args: string[], encoding: 'utf8' | 'buffer'): Promise<string | Buffer> => {
    // a dead daemon makes the tools wait for it: fail at once instead, with what the daemon said
    const dead = daemons.map((d) => d.exited.then((how) => { throw new Error(`${d.name} ended (${how}) during '${bin} ${args.join(' ')}': ${d.stderr.trim()}`); }));
    // --connect-timeout bounds only the connection: a monitor that stops answering later would
    // hold the tool forever, so every call has a hard limit too.
    const run = execFileP(bin, ['-c', conf, ...args], { encoding, maxBuffer: 1 << 30, timeout: TOOL_TIMEOUT_MS, killSignal: 'SIGKILL' })
      .then((r) => r.stdout);
    return Promise.race([run, ...dead]);
  };
  const cluster: CephCluster = {
    dir, conf, port, daemons, timings,
    ceph: async (...args) => (await tool('ceph', ['--connect-timeout', '60', ...args], 'utf8')).toString(),
    rbd: async (...args) => (await tool('rbd', args, 'buffer')) as Buffer,
    stop: () => timed(timings, 'stop', async () => {
      try {
        return await stopCluster(dir, daemons);
      } finally {
        await unlock();
      }
    }),
  };
  try {
    await Promise.all(['run', 'log', 'mon', 'osd'].map((d) => mkdir(join(dir, d))));
    await writeFile(conf, cephConf(dir, fsid, port, cephx));
    const monKeyring = join(dir, 'mon.keyring');
    await timed(timings, 'monMkfs', async () => {
      if (cephx) {
        const all = ['--cap', 'mon', 'allow *', '--cap', 'osd', 'allow *', '--cap', 'mgr', 'allow *'];
        await execFileP('ceph-authtool', ['--create-keyring', monKeyring, '--gen-key', '-n', 'mon.', '--cap', 'mon', 'allow *']);
        await execFileP('ceph-authtool', ['--create-keyring', join(dir, 'admin.keyring'), '--gen-key', '-n', 'client.admin', ...all]);
        await execFileP('ceph-authtool', [monKeyring, '--import-keyring', join(dir, 'admin.keyring')]);
      }
      await execFileP('monmaptool', ['--create', '--fsid', fsid, '--addv', 'a', `[v1:127.0.0.1:${port}]`, join(dir, 'monmap')]);
      await execFileP('ceph-mon', ['-c', conf, '--mkfs', '-i', 'a', '--monmap', join(dir, 'monmap'), ...(cephx ? ['--keyring', monKeyring] : [])]);
    });
    daemons.push(startDaemon('mon.a', 'ceph-mon', ['-c', conf, '-i', 'a']));
    const uuid = randomUUID();
    const id = await timed(timings, 'monUp', async () => (await cluster.ceph('osd', 'new', uuid)).trim());
    await timed(timings, 'osdMkfs', async () => {
      await mkdir(join(dir, 'osd', `ceph-${id}`));
      if (cephx) {
        // The OSD's key first: mkfs fetches its config from the monitor, which wants cephx.
        const keyring = join(dir, 'osd', `ceph-${id}`, 'keyring');
        await execFileP('ceph-authtool', ['--create-keyring', keyring, '--gen-key', '-n', `osd.${id}`]);
        await cluster.ceph('auth', 'add', `osd.${id}`, 'osd', 'allow *', 'mon', 'allow profile osd', '-i', keyring);
      }
      await execFileP('ceph-osd', ['-c', conf, '-i', id, '--mkfs', '--osd-uuid', uuid]);
    });
    daemons.push(startDaemon(`osd.${id}`, 'ceph-osd', ['-c', conf, '-i', id]));
    await timed(timings, 'osdUp', () => until(`osd.${id} up`, async () => {
      // While the OSD boots, a ceph call now and then gets EPERM "problem getting command
      // descriptions" (the monitor saw the client's request before its fsid: "on fsid 0000...");
      // seen once in a full run. Such a call is asked again; any other error ends the wait.
      const out = await cluster.ceph('osd', 'dump', '--format=json').catch((e: unknown) => {
        if (/EPERM: problem getting command descriptions/.test((e as Error).message)) return undefined;
        throw e;
      });
      if (out === undefined) return false;
      const dump = JSON.parse(out) as { osds: { osd: number; up: number }[] };
      return dump.osds.some((o) => String(o.osd) === id && o.up === 1);
    }, 60_000));
    await timed(timings, 'pool', async () => {
      await cluster.ceph('osd', 'pool', 'create', pool, '8', '8');
      await cluster.rbd('pool', 'init', pool);
    });
    return cluster;
  } catch (e) {
    const logs = await readFile(join(dir, 'log', 'mon.a.log'), 'utf8').catch(() => '');
    await stopCluster(dir, daemons).finally(unlock);
    throw new Error(`the one-node ceph cluster did not start: ${(e as Error).message}\nmon log tail:\n${logs.split('\n').slice(-20).join('\n')}`, { cause: e });
  }
}

/** The OSD first (it tells the monitor it goes), then the monitor; then the directory. */
async function stopCluster(dir: string, daemons: readonly CephDaemon[]): Promise<Record<string, string>> {
  const ended: Record<string, string> = {};
  for (const d of [...daemons].reverse()) {
    if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGTERM');
    const kill = setTimeout(() => d.child.kill('SIGKILL'), 20_000);
    ended[d.name] = await d.exited;
    clearTimeout(kill);
  }
  await rm(dir, { recursive: true, force: true });
  return ended;
}
