/**
 * A three-namespace lab for the firewall tests, so the host's own firewall is never touched:
 *
 *   guest ns (eth0 GUEST_IP) --veth-- host ns: bridge BRIDGE (GATEWAY), uplink (UPLINK_IP) --veth-- outside ns (eth0 OUTSIDE_IP)
 *
 * and the same in IPv6 (GUEST_IP6, GATEWAY6, OUTSIDE_IP6), where the outside has a route back.
 * The guest stands in for a VM; its default route is the bridge. The outside has no route back to
 * the guest's subnet (only masquerade gets replies home) unless `routeBack()` adds one. Every
 * namespace name starts with a prefix unique to the run; devices live only inside them, so
 * `destroy()` (deleting the namespaces) removes everything, whatever state a test left.
 * `probe()` connects from the guest to the outside by TCP and UDP with node (this machine has
 * no ping) and says which source address the outside saw.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { nftRunner, type NftRunner } from '../../src/host/net/nft-run.js';

export const BRIDGE = 'vkfbr0';
export const GATEWAY = '192.168.150.1';
export const GUEST_IP = '192.168.150.10';
export const UPLINK_IP = '203.0.113.1';
export const OUTSIDE_IP = '203.0.113.2';
export const GATEWAY6 = 'fd00:150::1';
export const GUEST_IP6 = 'fd00:150::10';
const UPLINK_IP6 = 'fd00:113::1';
export const OUTSIDE_IP6 = 'fd00:113::2';
const TCP_PORT = 7000;
const UDP_PORT = 7001;

export interface ProbeResult {
  readonly tcp: string;
  readonly udp: string;
}

const SERVER = `
const net = require('node:net'), dgram = require('node:dgram');
const plain = (a) => a.replace(/^::ffff:/, '');
const t = net.createServer((s) => s.end(plain(s.remoteAddress) + '\\n'));
const u = dgram.createSocket('udp6');
u.on('message', (m, r) => u.send(plain(r.address), r.port, r.address));
const [tp, up] = process.argv.slice(1).map(Number);
t.listen(tp, '::', () => u.bind(up, '::', () => console.log('ready')));`;

// A blocked packet is dropped (no answer) or rejected (an error at once): 'blocked' either way.
// The 3 s only bounds the wait for an answer that does not come; no assertion is about time.
const CLIENT = `
const net = require('node:net'), dgram = require('node:dgram');
const [host, tp, up] = process.argv.slice(1);
const tcp = new Promise((res) => {
  const s = net.connect(Number(tp), host); let got = '';
  s.setTimeout(3000, () => { s.destroy(); res('blocked'); });
  s.on('data', (d) => (got += d)); s.on('end', () => res(got.trim())); s.on('error', () => res('blocked'));
});
const udp = new Promise((res) => {
  const u = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4'); const t = setTimeout(() => { u.close(); res('blocked'); }, 3000);
  u.on('message', (m) => { clearTimeout(t); u.close(); res(m.toString()); }); u.on('error', () => { clearTimeout(t); res('blocked'); });
  u.send('x', Number(up), host);
});
Promise.all([tcp, udp]).then(([a, b]) => console.log(JSON.stringify({ tcp: a, udp: b })));`;

export class NetnsLab {
  readonly prefix = `vkf${randomBytes(3).toString('hex')}`;
  readonly host = `${this.prefix}-host`;
  readonly guest = `${this.prefix}-guest`;
  readonly outside = `${this.prefix}-out`;
  /** nft inside the host namespace. */
  readonly nft: NftRunner = nftRunner(['ip', 'netns', 'exec', this.host]);
  readonly #servers: ChildProcess[] = [];

  /** Runs a command in a namespace (or in none), throwing with its stderr when it fails. */
  sh(ns: string | null, argv: readonly string[], input?: string): string {
    const full = ns === null ? argv : ['ip', 'netns', 'exec', ns, ...argv];
    const r = spawnSync(full[0] ?? 'true', full.slice(1), { input: input ?? '', encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${full.join(' ')} failed (${r.status}): ${r.stderr}`);
    return r.stdout;
  }

  async create(): Promise<void> {
    for (const ns of [this.host, this.guest, this.outside]) this.sh(null, ['ip', 'netns', 'add', ns]);
    const h = (...a: string[]): string => this.sh(this.host, ['ip', ...a]);
    h('link', 'add', BRIDGE, 'type', 'bridge');
    h('addr', 'add', `${GATEWAY}/24`, 'dev', BRIDGE);
    h('link', 'add', 'vkfgst', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', this.guest);
    h('link', 'set', 'vkfgst', 'master', BRIDGE);
    h('link', 'add', 'vkfup', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', this.outside);
    h('addr', 'add', `${UPLINK_IP}/24`, 'dev', 'vkfup');
    for (const dev of ['lo', BRIDGE, 'vkfgst', 'vkfup']) h('link', 'set', dev, 'up');
    this.sh(this.host, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
    // nodad: the addresses are usable at once (no duplicate address detection to wait for)
    h('addr', 'add', `${GATEWAY6}/64`, 'dev', BRIDGE, 'nodad');
    h('addr', 'add', `${UPLINK_IP6}/64`, 'dev', 'vkfup', 'nodad');
    const g = (...a: string[]): string => this.sh(this.guest, ['ip', ...a]);
    g('addr', 'add', `${GUEST_IP}/24`, 'dev', 'eth0');
    g('link', 'set', 'lo', 'up');
    g('link', 'set', 'eth0', 'up');
    g('route', 'add', 'default', 'via', GATEWAY);
    g('addr', 'add', `${GUEST_IP6}/64`, 'dev', 'eth0', 'nodad');
    g('-6', 'route', 'add', 'default', 'via', GATEWAY6);
    const o = (...a: string[]): string => this.sh(this.outside, ['ip', ...a]);
    o('addr', 'add', `${OUTSIDE_IP}/24`, 'dev', 'eth0');
    o('link', 'set', 'lo', 'up');
    o('link', 'set', 'eth0', 'up');
    o('addr', 'add', `${OUTSIDE_IP6}/64`, 'dev', 'eth0', 'nodad');
    // IPv6 is routed, never NATed: the outside always has its way back to the guests' subnet
    o('-6', 'route', 'add', 'fd00:150::/64', 'via', UPLINK_IP6);
    await this.#startServer(this.outside, TCP_PORT, UDP_PORT);
  }

  /** Lets the outside reach the guest's subnet through the host (route mode needs it, NAT must not). */
  routeBack(on: boolean): void {
    this.sh(this.outside, ['ip', 'route', on ? 'replace' : 'del', '192.168.150.0/24', 'via', UPLINK_IP]);
  }

  /** A server on the host itself (e.g. on the DNS ports), answering like the outside's, for the input pinholes. */
  startHostServer(tcp: number, udp: number): Promise<void> {
    return this.#startServer(this.host, tcp, udp);
  }

  #startServer(ns: string, tcp: number, udp: number): Promise<void> {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', SERVER, String(tcp), String(udp)], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.#servers.push(child);
    return new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the outside's server exited (${code})`)));
      child.stdout.once('data', () => resolve());
    });
  }

  /** TCP and UDP from the guest to the outside (OUTSIDE_IP or OUTSIDE_IP6, or the host's DNS port): the address that arrived, or 'blocked'. */
  async probe(target = OUTSIDE_IP, ports: readonly [number, number] = [TCP_PORT, UDP_PORT]): Promise<ProbeResult> {
    const child = spawn('ip', ['netns', 'exec', this.guest, process.execPath, '-e', CLIENT, target, String(ports[0]), String(ports[1])], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise((resolve) => child.once('close', resolve));
    return JSON.parse(out) as ProbeResult;
  }

  /** `nft -j list ruleset` of the host namespace without handles and counter values, for before/after comparisons. */
  rulesetShape(): unknown {
    const doc = JSON.parse(this.sh(this.host, ['nft', '-j', 'list', 'ruleset'])) as { nftables: Record<string, Record<string, unknown>>[] };
    return JSON.parse(JSON.stringify(doc.nftables.filter((i) => !('metainfo' in i)), (k, v: unknown) => {
      if (k === 'handle') return undefined;
      if (k === 'counter' && v !== null && typeof v === 'object') return {};
      return v;
    }));
  }

  async destroy(): Promise<void> {
    for (const server of this.#servers.filter((c) => c.exitCode === null && c.signalCode === null)) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    for (const ns of [this.guest, this.outside, this.host]) spawnSync('ip', ['netns', 'del', ns]);
  }

  /** Namespaces of this lab still there (the cleanup check). */
  leftovers(): string[] {
    const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    return list.split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith(this.prefix));
  }
}
