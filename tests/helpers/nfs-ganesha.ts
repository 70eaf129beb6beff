/**
 * An NFS export served by nfs-ganesha (userspace, FSAL VFS) for the NFS network disk test:
 * its own config, log and pid file in the test's directory, NFSv3 over TCP on 127.0.0.1 at
 * ports of its own (registered with rpcbind, which libnfs asks), no NLM, no RQUOTA, no UDP,
 * no grace period, no systemd. Only NFSv3: QEMU 7.2's nfs driver has no option to choose
 * the protocol version and libnfs speaks v3 by default.
 *
 * `stop()` sends SIGTERM (ganesha's clean shutdown, which unregisters from rpcbind), waits
 * for the child to be reaped and checks that its port refuses and that rpcbind no longer
 * lists it.
 */
import { execFile, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { registrations, tcpAccepts } from './rpcbind.js';
import { until } from './wait.js';

const run = promisify(execFile);

export const NFS_PROGRAM = 100003;
export const MOUNT_PROGRAM = 100005;

export interface Ganesha {
  readonly nfsPort: number;
  readonly mountPort: number;
  /** ganesha's log so far. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen({ host: '127.0.0.1', port: 0 }, () => {
      const a = s.address();
      s.close(() => (a !== null && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

export function ganeshaConfig(o: { exportDir: string; stateDir: string; nfsPort: number; mountPort: number }): string {
  return `NFS_CORE_PARAM {
  Protocols = 3;
  Bind_Addr = 127.0.0.1;
  NFS_Port = ${o.nfsPort};
  MNT_Port = ${o.mountPort};
  Enable_NLM = false;
  Enable_RQUOTA = false;
  Enable_UDP = false;
}
NFS_KRB5 { Active_krb5 = false; }
NFSv4 { Graceless = true; RecoveryBackend = fs; RecoveryRoot = "${o.stateDir}"; }
EXPORT {
  Export_Id = 1;
  Path = "${o.exportDir}";
  Pseudo = "${o.exportDir}";
  Protocols = 3;
  Transports = TCP;
  Access_Type = None;
  SecType = sys;
  FSAL { Name = VFS; }
  CLIENT { Clients = 127.0.0.1; Access_Type = RW; Squash = No_Root_Squash; }
}
LOG { Default_Log_Level = EVENT; }
`;
}

/** Starts ganesha exporting `exportDir` (same path for NFSv3 MOUNT); `dir` holds its own files. */
export async function startGanesha(dir: string, exportDir: string): Promise<Ganesha> {
  const nfsPort = await freePort();
  const mountPort = await freePort();
  const conf = join(dir, 'ganesha.conf');
  const logFile = join(dir, 'ganesha.log');
  await writeFile(conf, ganeshaConfig({ exportDir, stateDir: join(dir, 'ganesha-state'), nfsPort, mountPort }));
  const child = spawn('ganesha.nfsd', ['-F', '-f', conf, '-L', logFile, '-p', join(dir, 'ganesha.pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  let gone = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (e) => { stderr += String(e); gone = true; resolve({ code: null, signal: null }); });
    child.once('exit', (code, signal) => { gone = true; resolve({ code, signal }); });
  });
  const log = (): Promise<string> => readFile(logFile, 'utf8').catch(() => '');
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    const how = await exited;
    if (await tcpAccepts('127.0.0.1', nfsPort)) throw new Error(`127.0.0.1:${nfsPort} still accepts after ganesha exited`);
    const left = (await registrations()).filter((r) => r.port === nfsPort || r.port === mountPort);
    if (left.length > 0) throw new Error(`ganesha left rpcbind registrations: ${JSON.stringify(left)}`);
    if (how.code !== 0) throw new Error(`ganesha ended with ${how.code ?? how.signal}: ${stderr}\n${await log()}`);
  };
  try {
    // A NULL call to MOUNT v3 over TCP, through rpcbind's mapping: what libnfs does first.
    await until('ganesha serving MOUNT v3 on 127.0.0.1', async () => {
      if (gone) throw new Error(`ganesha.nfsd exited at start: ${stderr}\n${await log()}`);
      return run('rpcinfo', ['-T', 'tcp', '127.0.0.1', String(MOUNT_PROGRAM), '3']).then(() => true, () => false);
    }, 30_000);
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
  return { nfsPort, mountPort, log, stop };
}
