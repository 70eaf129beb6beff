/**
 * Test helper: DPDK's testpmd (Debian's dpdk-dev, with librte-net-vhost23) as a real vhost-user
 * backend. Two `net_vhost` ports forward to each other in io mode, so two guests, one on each
 * port, reach each other through it. Each port is a server (testpmd listens on the socket, the
 * guest's QEMU connects: vhostuser mode='client') or a client (testpmd connects and retries
 * every second until QEMU listens: mode='server').
 *
 * It runs without hugepages (`--no-huge`, malloc'd memory; `--no-shconf`, no shared config
 * files): vhost-user only needs the guest's memory shared (memfd), never testpmd's own. It reads
 * its interactive prompt's stdin: stop() closes it, testpmd closes its ports (removing the
 * sockets it made) and exits; SIGKILL if it does not.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { until } from './wait.js';

export const TESTPMD = '/usr/bin/dpdk-testpmd';

/** Why testpmd cannot run here (not installed, or no vhost PMD), or undefined when it can. */
export function testpmdMissing(): string | undefined {
  const r = spawnSync(TESTPMD, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error !== undefined) return `${TESTPMD} not found: install Debian's dpdk-dev and librte-net-vhost23 (scripts/setup.sh)`;
  return undefined;
}

export interface VhostPort {
  readonly socket: string;
  /** testpmd connects to the socket (QEMU listens: mode='server'); else testpmd listens. */
  readonly client: boolean;
}

export interface Testpmd {
  readonly pid: number;
  /** Everything testpmd printed so far. */
  output(): string;
  /** Runs one command at testpmd's prompt; what it printed, once that matches `done`. */
  command(line: string, done: RegExp): Promise<string>;
  /** Ends testpmd (stdin closed, then SIGKILL after 10 s) and removes its runtime dir. */
  stop(): Promise<void>;
}

export async function startTestpmd(prefix: string, ports: readonly VhostPort[]): Promise<Testpmd> {
  const vdevs = ports.flatMap((p, i) => ['--vdev', `net_vhost${i},iface=${p.socket},client=${p.client ? 1 : 0}`]);
  const args = ['--no-pci', '--no-huge', '-m', '256', '--no-shconf', `--file-prefix=${prefix}`, '-l', '0-1', ...vdevs,
    '--', '-i', '--forward-mode=io', '--auto-start', '--total-num-mbufs=8192'];
  // stdbuf: testpmd's stdout is a pipe here, which stdio would block-buffer (answers would wait).
  const child: ChildProcess = spawn('stdbuf', ['-oL', TESTPMD, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.on('data', (b: Buffer) => (text += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (text += b.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let done = false;
  void exited.then(() => (done = true));
  const stop = async (): Promise<void> => {
    if (!done) {
      child.stdin?.end('quit\n');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(`/var/run/dpdk/${prefix}`, { recursive: true, force: true });
  };
  try {
    await until('testpmd forwarding', () => {
      if (done) throw new Error(`testpmd exited:\n${text}`);
      return (text.includes('io packet forwarding') && text.includes('testpmd> ')) || undefined;
    }, 60_000);
  } catch (e) {
    await stop();
    throw e;
  }
  if (child.pid === undefined) throw new Error('testpmd has no pid');
  const command = async (line: string, done: RegExp): Promise<string> => {
    const from = text.length;
    child.stdin?.write(`${line}\n`);
    return until(`testpmd's answer to '${line}'`, () => {
      const out = text.slice(from);
      return done.test(out) ? out : undefined;
    }, 10_000).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}; testpmd printed:\n${text.slice(from)}`);
    });
  };
  return { pid: child.pid, output: () => text, command, stop };
}
