/**
 * Shared set-up of the daemon integration tests: a daemon rooted in a fresh
 * temporary directory (in-process, or as a real `virtkitd` child), raw HTTP
 * over its socket, the in-process CLI, and the check every test ends with:
 * no daemon process, no socket, no pidfile, and the temp dir gone.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canConnect } from '../../src/client/spawn.js';
import { run } from '../../src/cli/run.js';
import { startDaemon, type DaemonOptions, type RunningDaemon } from '../../src/daemon/daemon.js';
import type { Logger } from '../../src/daemon/engine/context.js';
import { instanceLayout, type InstanceLayout } from '../../src/daemon/paths.js';
import { after } from 'node:test';
import { repoRoot } from '../helpers/paths.js';

export const VIRTKITD = join(repoRoot, 'bin', 'virtkitd');
export const VIRTKIT = join(repoRoot, 'bin', 'virtkit');

export const quietLog = (into: string[] = []): Logger => ({
  info: (m) => into.push(`info: ${m}`),
  warn: (m) => into.push(`warning: ${m}`),
  error: (m) => into.push(`error: ${m}`),
});

/**
 * What a test that fails half-way leaves behind, cleaned up when its file ends. A test that
 * passes has already cleaned (and checked) everything itself with assertLeftNothing.
 */
const leftovers = { roots: new Set<string>(), daemons: new Set<RunningDaemon>(), children: new Set<ChildProcess>() };
after(async () => {
  for (const c of leftovers.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all([...leftovers.daemons].map((d) => d.close().catch(() => undefined)));
  await Promise.all([...leftovers.roots].map((r) => rm(r, { recursive: true, force: true })));
});

/**
 * A fresh instance root, 0711 as the daemon makes a new one (mkdtemp makes it 0700): a network's dnsmasq drops
 * to an unprivileged user and rereads its hosts files under run/network, so it must get through. The daemon makes
 * run/ itself (makeInstanceDirs); a test that runs an Engine without a daemon calls makeInstanceDirs too.
 */
export async function tempRoot(prefix = 'vk-d-'): Promise<{ root: string; layout: InstanceLayout }> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  leftovers.roots.add(root);
  await chmod(root, 0o711);
  return { root, layout: instanceLayout({ kind: 'root', root }) };
}

export interface InProcess {
  readonly root: string;
  readonly layout: InstanceLayout;
  readonly daemon: RunningDaemon;
  readonly log: string[];
  /** Stops the daemon, checks that it left nothing behind, removes the root. */
  close(): Promise<void>;
}

export async function inProcessDaemon(opts: Partial<Omit<DaemonOptions, 'layout' | 'log'>> = {}): Promise<InProcess> {
  const { root, layout } = await tempRoot();
  const log: string[] = [];
  const daemon = await startDaemon({ layout, log: quietLog(log), autostart: false, ...opts });
  leftovers.daemons.add(daemon);
  return {
    root, layout, daemon, log,
    close: async () => {
      await daemon.close();
      leftovers.daemons.delete(daemon);
      await assertLeftNothing(root, layout);
    },
  };
}

export async function assertLeftNothing(root: string, layout: InstanceLayout, pid?: number): Promise<void> {
  assert.equal(existsSync(layout.socket), false, `socket ${layout.socket} left behind`);
  assert.equal(existsSync(layout.pidfile), false, `pidfile ${layout.pidfile} left behind`);
  if (pid !== undefined) assert.equal(isAlive(pid), false, `daemon ${pid} still running`);
  await rm(root, { recursive: true, force: true });
  leftovers.roots.delete(root);
  assert.equal(existsSync(root), false);
}

/** Whether `pid` runs; a zombie (exited, not yet reaped by an init that is not its parent) does not. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export interface Child {
  readonly child: ChildProcess;
  readonly pid: number;
  /** From spawn() to the socket accepting a connection. */
  readonly readyMs: number;
  stderr(): string;
  /** Sends `signal` and waits for the exit status. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function spawnDaemon(layout: InstanceLayout, args: string[] = []): Promise<Child> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [VIRTKITD, '--root', join(layout.configDir, '..'), '--no-autostart', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  leftovers.children.add(child);
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const deadline = Date.now() + 15_000;
  while (!(await canConnect(layout.socket))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`virtkitd did not come up: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  const readyMs = performance.now() - t0;
  return {
    child, pid: child.pid ?? -1, readyMs,
    stderr: () => err,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface Reply {
  status: number;
  body: unknown;
}

/** One raw HTTP request over the instance's socket. */
export function api(layout: InstanceLayout, method: string, path: string, body?: unknown): Promise<Reply> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const headers = payload === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(payload)) };
    const req = request({ socketPath: layout.socket, method, path, agent: false, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one virtkit command line in-process against the instance under `root`. */
export async function cli(root: string, argv: string[], cwd = root): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(['--root', root, ...argv], {
    stdout: (t) => { stdout += t; },
    stderr: (t) => { stderr += t; },
    env: { PATH: process.env['PATH'] },
    cwd,
  });
  return { code, stdout, stderr };
}

export async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
}

export const domainXml = (name: string, extra = ''): string =>
  `<domain type='qemu'>\n  <name>${name}</name>\n  <memory unit='MiB'>64</memory>\n  <vcpu>1</vcpu>\n` +
  `  <os>\n    <type arch='x86_64' machine='pc'>hvm</type>\n  </os>\n${extra}</domain>\n`;
