/**
 * A test's own network on the host: a Linux bridge (a unique name, forward delay 0, no STP) with
 * an address, and a dnsmasq that serves DHCP on that bridge only (no DNS: --port=0; no ping
 * before an offer: --no-ping; a lease file in a temp dir). `stop()` kills and reaps dnsmasq and
 * deletes the bridge; `leftovers(prefix)` lists the host links whose names start with the test's
 * prefix (taps, bridges), which every test asserts is empty at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Links } from '../../src/host/net/links.js';
import { runIp } from '../../src/host/net/ip-runner.js';

export interface NetLab {
  readonly bridge: string;
  /** The bridge's address (the guests' gateway), e.g. 10.213.7.1. */
  readonly gateway: string;
  /** e.g. 10.213.7. */
  readonly subnetPrefix: string;
  /** dnsmasq's lease file: "expiry mac ip hostname clientid" lines. */
  leases(): Promise<string[]>;
  stop(): Promise<void>;
}

const links = new Links();

/** A /24 in 10.213.0.0/16 that no host route touches. */
async function freeSubnet(): Promise<number> {
  const routes = JSON.parse(await runIp(['-j', '-4', 'route', 'show', 'table', 'all'])) as { dst?: string }[];
  const used = new Set(routes.flatMap((r) => /^10\.213\.(\d+)\./.exec(r.dst ?? '')?.[1] ?? []));
  const start = process.pid % 250;
  for (let i = 0; i < 250; i++) {
    const n = ((start + i) % 250) + 1;
    if (!used.has(String(n))) return n;
  }
  throw new Error('no free /24 in 10.213.0.0/16');
}

async function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((resolve) => child.once('exit', resolve));
}

/** Makes the bridge `name` (at most 15 bytes) with x.x.x.1/24 and starts dnsmasq on it. */
export async function startNetLab(name: string): Promise<NetLab> {
  const n = await freeSubnet();
  const prefix = `10.213.${n}.`;
  const gateway = `${prefix}1`;
  const dir = await mkdtemp(join(tmpdir(), 'vk-netlab-'));
  await links.createBridge(name);
  let child: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    if (child !== undefined) {
      child.kill('SIGTERM');
      await waitExit(child);
    }
    await links.deleteIfExists(name);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await links.addAddress(name, `${gateway}/24`);
    await links.setUp(name, true);
    const leaseFile = join(dir, 'leases');
    child = spawn('dnsmasq', [
      '--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--port=0',
      '--bind-interfaces', `--interface=${name}`, '--except-interface=lo', `--listen-address=${gateway}`,
      `--dhcp-range=${prefix}10,${prefix}200,255.255.255.0,1h`, '--no-ping', '--dhcp-authoritative',
      `--dhcp-leasefile=${leaseFile}`, `--pid-file=${join(dir, 'pid')}`, '--log-facility=-',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => { stderr += c.toString(); });
    // dnsmasq writes its pid file once it has bound its sockets; an early exit is a failure.
    const c = child;
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        readFile(join(dir, 'pid'), 'utf8').then(() => { clearInterval(poll); resolve(); }, () => undefined);
      }, 20);
      c.once('exit', (code) => { clearInterval(poll); reject(new Error(`dnsmasq exited (${code}): ${stderr}`)); });
    });
    return {
      bridge: name, gateway, subnetPrefix: prefix,
      leases: async () => (await readFile(leaseFile, 'utf8').catch(() => '')).split('\n').filter((l) => l !== ''),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Host links whose names start with one of `prefixes` (what a test made and must have removed). */
export async function linksNamed(...prefixes: string[]): Promise<string[]> {
  return (await links.list()).map((l) => l.name).filter((n) => prefixes.some((p) => n.startsWith(p)));
}

/** The host's taps (tun devices), by name. */
export async function hostTaps(): Promise<string[]> {
  return (await links.list()).filter((l) => l.kind === 'tun').map((l) => l.name);
}

export { links as hostLinks };
