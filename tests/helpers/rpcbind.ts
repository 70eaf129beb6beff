/**
 * rpcbind on loopback for the NFS test. QEMU's NFS client (libnfs, NFSv3) asks the
 * portmapper on port 111 of the server for the MOUNT and NFS ports, so the test needs one.
 *
 * A portmapper that already answers on 127.0.0.1:111 is used as it is and left running.
 * Otherwise one is started in the foreground and stopped by `stop()`, on loopback only:
 * - TCP: `rpcbind -h` does not narrow TCP (it listens on 0.0.0.0 and [::]), so the test opens
 *   127.0.0.1:111 and [::1]:111 itself and hands them over by systemd socket activation
 *   (LISTEN_FDS/LISTEN_PID, which Debian's rpcbind honours for the transports it is given).
 * - UDP: Node cannot hand over UDP sockets (spawn() aborts on a non-stream handle), so rpcbind
 *   binds them itself, narrowed by -h. `-h 127.0.0.1` aborts Debian 12's rpcbind 1.2.6 with
 *   "free(): double free detected" (it adds 127.0.0.1 and ::1 to the list itself and frees the
 *   duplicate twice), so the list is 127.0.0.2, also loopback: UDP is on 127.0.0.2, 127.0.0.1, ::1.
 * Its unix socket /run/rpcbind.sock, through which servers register, it opens itself.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import type { Server } from 'node:net';
import { promisify } from 'node:util';
import { until } from './wait.js';

const run = promisify(execFile);

/** Files rpcbind leaves behind when it exits; removed after ours when they were not there before. */
const RPCBIND_FILES = ['/run/rpcbind.sock', '/run/rpcbind.lock', '/run/rpcbind'];

export interface Rpcbind {
  /** Whether the test started this rpcbind (false: one was already answering on 127.0.0.1:111). */
  readonly ours: boolean;
  /** Stops ours and waits for it to be reaped and for 127.0.0.1:111 to refuse; no-op otherwise. */
  stop(): Promise<void>;
}

/** Whether a TCP connection to host:port is accepted. */
export function tcpAccepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ host, port });
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}

/** The rpcbind registrations `rpcinfo -p 127.0.0.1` lists (rpcinfo has no structured output). */
export async function registrations(): Promise<{ program: number; version: number; proto: string; port: number }[]> {
  const { stdout } = await run('rpcinfo', ['-p', '127.0.0.1']);
  return stdout.split('\n').slice(1).map((l) => l.trim().split(/\s+/)).filter((f) => f.length >= 4)
    .map(([program, version, proto, port]) => ({ program: Number(program), version: Number(version), proto: proto ?? '', port: Number(port) }));
}

function tcpListener(host: string): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRNOTAVAIL' || e.code === 'EAFNOSUPPORT' ? resolve(undefined) : reject(e)));
    s.listen({ host, port: 111, ipv6Only: true }, () => resolve(s));
  });
}

/**
 * The file descriptor of a listening server. Node has no public way to get it (spawn() takes
 * only streams or fd numbers, and aborts on a server's handle), so this reads the libuv
 * handle's `fd`, which Node has exposed on Unix for every stream handle since v0.x.
 */
function listenerFd(s: Server): number {
  const fd = (s as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new Error('cannot read the listening socket\'s fd from Node');
  return fd;
}

export async function startRpcbind(): Promise<Rpcbind> {
  if (await tcpAccepts('127.0.0.1', 111)) return { ours: false, stop: async () => undefined };
  const preexisting = RPCBIND_FILES.filter((f) => existsSync(f));
  const tcp = (await Promise.all([tcpListener('127.0.0.1'), tcpListener('::1')])).filter((s) => s !== undefined);
  const fds = tcp.map(listenerFd);
  // sd_listen_fds() wants LISTEN_PID to be rpcbind's own pid, known only once it runs: a fixed
  // sh line sets it and execs rpcbind in the same process (no value is interpolated into it).
  // checkLoopbackOnly() below proves the hand-over: rpcbind would otherwise open 0.0.0.0:111.
  const child = spawn('/bin/sh', ['-c', 'LISTEN_PID=$$ exec "$0" "$@"', 'rpcbind', '-f', '-h', '127.0.0.2'], {
    stdio: ['ignore', 'ignore', 'pipe', ...fds], env: { ...process.env, LISTEN_FDS: String(fds.length) },
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  // The child holds its own copies now; ours would keep accepting after rpcbind died.
  await Promise.all(tcp.map((s) => new Promise((r) => s.close(r))));
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    const how = await exited;
    if (await tcpAccepts('127.0.0.1', 111)) throw new Error('127.0.0.1:111 still accepts after our rpcbind exited');
    for (const f of RPCBIND_FILES) if (!preexisting.includes(f)) await rm(f, { recursive: true, force: true });
    if (how.signal !== 'SIGTERM' && how.code !== 0) throw new Error(`rpcbind ended with ${how.code ?? how.signal}: ${stderr}`);
  };
  try {
    let gone = false;
    void exited.then(() => (gone = true));
    // Answering a call is the proof: rpcbind opens its unix socket (through which servers
    // register) before it serves any request.
    await until('rpcbind answering on 127.0.0.1:111', async () => {
      if (gone) throw new Error(`rpcbind exited at start: ${stderr}`);
      return registrations().then((r) => r.some((x) => x.program === 100000), () => false);
    }, 10_000);
    await checkLoopbackOnly();
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
  return { ours: true, stop };
}

// /proc/net addresses: 127.0.0.1, 127.0.0.2 (host byte order, little-endian here) and ::1
const LOOPBACK = new Set(['0100007F', '0200007F', '00000000000000000000000001000000']);

/** Asserts that every socket bound to port 111 (TCP listening, UDP) has a loopback address (/proc/net). */
async function checkLoopbackOnly(): Promise<void> {
  const wide: string[] = [];
  for (const table of ['tcp', 'tcp6', 'udp', 'udp6']) {
    const text = await readFile(`/proc/net/${table}`, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      const [addr, port] = (f[1] ?? '').split(':');
      const listening = table.startsWith('udp') ? f[3] === '07' : f[3] === '0A';
      if (port === '006F' && listening && addr !== undefined && !LOOPBACK.has(addr)) wide.push(`${table} ${addr}`);
    }
  }
  if (wide.length > 0) throw new Error(`rpcbind listens beyond loopback on port 111: ${wide.join(', ')}`);
}
