/**
 * The configuration virtkit writes makes a real dnsmasq serve DHCP: in a network namespace
 * of the test's own (server end of a veth pair), dnsmasq runs on it; from a second namespace
 * a minimal client (tests/helpers/dhcp-probe.ts) gets a lease for the static host's MAC
 * (its fixed address, from the hosts file) and one from the range for another MAC. The lease
 * file dnsmasq writes is then read by parseDnsmasqLeases: the parser is checked on real output.
 * Everything the test makes is named vkn8-/vkn8 + a random suffix and removed in after().
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { dnsmasqConfig, dnsmasqPaths } from '../../src/core/network/dnsmasq.js';
import { parseDnsmasqLeases } from '../../src/core/network/dnsmasq-leases.js';
import { applyNetworkUpdate } from '../../src/core/network/update.js';
import { parseNetworkXml, validateNetwork } from '../../src/core/xml/network/index.js';
import { repoRoot } from '../helpers/paths.js';
import { until } from '../helpers/wait.js';

const run = promisify(execFile);
const id = randomBytes(3).toString('hex');
const nsServer = `vkn8-s-${id}`;
const nsClient = `vkn8-c-${id}`;
const devServer = `vkn8s${id}`;
const devClient = `vkn8c${id}`;
const FIXED_MAC = '52:54:00:23:10:01';
const OTHER_MAC = '52:54:00:23:10:02';
const THIRD_MAC = '52:54:00:23:10:03';
const probe = join(repoRoot, 'dist', 'tests', 'helpers', 'dhcp-probe.js');

const work = mkdtempSync(join(tmpdir(), 'vk-dnsmasq-lease-'));
let dnsmasq: ChildProcess | undefined;
const ip = (...args: string[]): Promise<unknown> => run('ip', args);

before(async () => {
  await ip('netns', 'add', nsServer);
  await ip('netns', 'add', nsClient);
  await ip('link', 'add', devServer, 'netns', nsServer, 'type', 'veth', 'peer', 'name', devClient, 'netns', nsClient);
  await ip('-n', nsServer, 'addr', 'add', '10.231.0.1/24', 'dev', devServer);
  await ip('-n', nsServer, 'link', 'set', devServer, 'up');
  await ip('-n', nsClient, 'link', 'set', devClient, 'address', FIXED_MAC);
  await ip('-n', nsClient, 'link', 'set', devClient, 'up');
  // The client has no address yet: a route lets it send to 255.255.255.255.
  await ip('-n', nsClient, 'route', 'add', 'default', 'dev', devClient);
});

after(async () => {
  if (dnsmasq?.pid !== undefined && dnsmasq.exitCode === null) {
    const exited = new Promise((r) => dnsmasq?.once('exit', r));
    dnsmasq.kill('SIGTERM');
    await exited;
  }
  // Deleting a namespace removes the veth end in it, and with it the pair.
  for (const ns of [nsServer, nsClient]) await ip('netns', 'del', ns).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
});

async function lease(mac: string, host: string): Promise<string> {
  await ip('-n', nsClient, 'link', 'set', devClient, 'address', mac);
  const { stdout } = await run('ip', ['netns', 'exec', nsClient, process.execPath, probe, mac, host]);
  return (JSON.parse(stdout) as { ip: string }).ip;
}

test('dnsmasq serves the static host its address and the range to others; its lease file parses; a SIGHUP after net-update serves a new host and keeps the leases', async () => {
  const def = parseNetworkXml(`<network>
    <name>vkn8-lease</name>
    <bridge name='${devServer}'/>
    <ip address='10.231.0.1' prefix='24'>
      <dhcp>
        <range start='10.231.0.100' end='10.231.0.150'/>
        <host mac='${FIXED_MAC}' name='fixed' ip='10.231.0.10'/>
      </dhcp>
    </ip>
  </network>`);
  validateNetwork(def);
  const { stdout: ver } = await run('dnsmasq', ['--version']);
  const paths = dnsmasqPaths(work, def.name);
  const caps = { version: /Dnsmasq version ([0-9.]+)/.exec(ver)?.[1] ?? '0' };
  const out = dnsmasqConfig(def, paths, caps);
  // dnsmasq drops to an unprivileged user after start and rereads the host files (SIGHUP)
  // as that user: they must be readable by it (the lease file it opens before dropping).
  chmodSync(work, 0o755);
  writeFileSync(paths.confFile, out.conf, { mode: 0o644 });
  writeFileSync(paths.hostsFile, out.hostsFile ?? '', { mode: 0o644 });
  writeFileSync(paths.addnHostsFile, out.addnHosts ?? '', { mode: 0o644 });

  const proc = spawn('ip', ['netns', 'exec', nsServer, 'dnsmasq', '--keep-in-foreground', `--conf-file=${paths.confFile}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  dnsmasq = proc;
  let stderr = '';
  proc.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));

  assert.equal(await lease(FIXED_MAC, 'probe'), '10.231.0.10', `dnsmasq: ${stderr}`);
  const dynamic = await lease(OTHER_MAC, 'probe2');
  assert.match(dynamic, /^10\.231\.0\.(1[0-4][0-9]|150)$/);

  const file = await until('two leases in the lease file', () => {
    const parsed = parseDnsmasqLeases(readFileSync(paths.leaseFile, 'utf8'));
    return parsed.leases.length === 2 ? parsed : undefined;
  }, 10_000);
  assert.deepEqual(file.skipped, []);
  const byMac = new Map(file.leases.map((l) => [l.mac, l]));
  assert.deepEqual({ ...byMac.get(FIXED_MAC), expiresAt: 'set' }, { family: 'ipv4', ip: '10.231.0.10', mac: FIXED_MAC, hostname: 'fixed', expiresAt: 'set' });
  assert.deepEqual({ ...byMac.get(OTHER_MAC), expiresAt: 'set' }, { family: 'ipv4', ip: dynamic, mac: OTHER_MAC, hostname: 'probe2', expiresAt: 'set' });
  for (const l of file.leases) assert.ok(typeof l.expiresAt === 'number' && l.expiresAt > 0, `lease of ${l.ip} expires at ${String(l.expiresAt)}`);
  assert.match(readFileSync(paths.pidFile, 'utf8'), /^[0-9]+\n$/);

  // net-update of a DHCP host: the configuration stays as it is, the hosts file changes, and a
  // SIGHUP makes dnsmasq serve the new host while keeping the leases it gave.
  const upd = applyNetworkUpdate(def, { command: 'add', section: 'ip-dhcp-host', xml: `<host mac='${THIRD_MAC}' name='third' ip='10.231.0.11'/>` });
  assert.equal(upd.dnsmasq, 'reload');
  const next = dnsmasqConfig(upd.def, paths, caps);
  assert.equal(next.conf, out.conf);
  writeFileSync(paths.hostsFile, next.hostsFile ?? '', { mode: 0o644 });
  proc.kill('SIGHUP');
  assert.equal(await lease(THIRD_MAC, 'probe3'), '10.231.0.11', `dnsmasq: ${stderr}`);
  const all = await until('three leases in the lease file', () => {
    const parsed = parseDnsmasqLeases(readFileSync(paths.leaseFile, 'utf8'));
    return parsed.leases.length === 3 ? parsed : undefined;
  }, 10_000);
  assert.deepEqual(all.leases.map((l) => `${l.mac ?? ''} ${l.ip}`).sort(), [`${FIXED_MAC} 10.231.0.10`, `${OTHER_MAC} ${dynamic}`, `${THIRD_MAC} 10.231.0.11`].sort());
});
