/**
 * Virtual networks through the CLI, in-process against a real rooted daemon, on the host's
 * real iproute2, nft and dnsmasq: a NAT network's dry run (changes nothing), start (bridge with
 * its address, the network's own nft table, one dnsmasq), refusals (overlapping subnet, a bridge
 * name another network or a host link has, a DHCP range outside the subnet, an over-long bridge
 * name), a start that fails half-way (leaves nothing), a dnsmasq killed (restarted, with an
 * event), a daemon restart (the running network re-adopted, same dnsmasq), destroy (nothing
 * left). Every device is named vkn8 + a random id; the subnets are 10.2xx.N.0/24 with random N;
 * only the test's own tables are touched (never the host's). after() removes whatever is left.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { startDaemon, type RunningDaemon } from '../../../src/daemon/daemon.js';
import type { ObjectEvent } from '../../../src/daemon/objects/object-events.js';
import { assertLeftNothing, cli, quietLog, tempRoot } from '../daemon-harness.js';
import { until } from '../../helpers/wait.js';

const run = promisify(execFile);
const id = randomBytes(3).toString('hex');
const NET = `vkn8n${id}`;
const BR = `vkn8b${id}`;
const DUMMY = `vkn8x${id}`;
const third = randomInt(10, 250);
const SUBNET = `10.214.${third}`;
const TABLE = `virtkit_${NET}`;
const errCode = (stderr: string): string => (JSON.parse(stderr) as { error: { code: string } }).error.code;

async function links(): Promise<string[]> {
  return (JSON.parse((await run('ip', ['-j', 'link', 'show'])).stdout) as { ifname: string }[]).map((l) => l.ifname);
}
async function tables(): Promise<string> {
  return (await run('nft', ['list', 'tables'])).stdout;
}
function alive(pid: number): boolean {
  const stat = (() => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return '';
    }
  })();
  return stat !== '' && !/^\S+ \(.*\) [ZX]/.test(stat);
}

const daemons = new Set<RunningDaemon>();
let testRoot: string | undefined;
after(async () => {
  for (const d of daemons) await d.close().catch(() => undefined);
  // After the daemons: a daemon closed after its root was removed would write its caches again.
  if (testRoot !== undefined) await rm(testRoot, { recursive: true, force: true });
  for (const l of await links()) if (l.startsWith(`vkn8b${id}`) || l.startsWith(`vkn8x${id}`) || l.startsWith(`vkn8c${id}`)) await run('ip', ['link', 'del', l]).catch(() => undefined);
  for (const t of (await tables()).split('\n')) {
    const m = /^table inet (virtkit_vkn8\w*)$/.exec(t.trim());
    if (m?.[1]?.includes(id)) await run('nft', ['delete', 'table', 'inet', m[1]]).catch(() => undefined);
  }
  // A dnsmasq the test started (its pid file says which), only if it still runs that network's configuration.
  for (const pidFile of pidFiles) {
    const read = (f: string): string => {
      try {
        return readFileSync(f, 'utf8');
      } catch {
        return '';
      }
    };
    const pid = Number(read(pidFile).trim() || NaN);
    const cmd = Number.isInteger(pid) ? read(`/proc/${pid}/cmdline`) : '';
    if (cmd.includes(`/${NET}`)) process.kill(pid, 'SIGTERM');
  }
});
const pidFiles: string[] = [];

const natXml = (name: string, bridge: string | undefined, subnet: string, range = `<range start='${subnet}.2' end='${subnet}.254'/>`): string =>
  `<network>\n  <name>${name}</name>\n  <forward mode='nat'/>\n${bridge === undefined ? '' : `  <bridge name='${bridge}'/>\n`}` +
  `  <ip address='${subnet}.1' netmask='255.255.255.0'>\n    <dhcp>\n      ${range}\n    </dhcp>\n  </ip>\n</network>\n`;

describe('virtual networks (CLI, real daemon, real ip, nft and dnsmasq)', { timeout: 120_000 }, () => {
  it('dry run, start, refusals, a failed start, dnsmasq crash, daemon restart, destroy: nothing left', async () => {
    const { root, layout } = await tempRoot();
    testRoot = root;
    const start = async () => {
      const d = await startDaemon({ layout, log: quietLog([]), autostart: false });
      daemons.add(d);
      return d;
    };
    let d = await start();
    const vk = (...a: string[]) => cli(root, a);
    await writeFile(join(root, 'net.xml'), natXml(NET, BR, SUBNET));
    assert.deepEqual(await vk('net-define', 'net.xml'), { code: 0, stdout: `Network ${NET} defined from net.xml\n\n`, stderr: '' });

    // The dry run says what start does, and does none of it.
    const plan = JSON.parse((await vk('net-start', NET, '--dry-run', '--json')).stdout) as {
      commands: string[][]; nftRuleset: string; dnsmasqConf: string; hostsFile: string | null;
    };
    assert.deepEqual(plan.commands[0]?.slice(0, 5), ['ip', 'link', 'add', 'name', BR]);
    assert.deepEqual(plan.commands[1], ['ip', 'addr', 'add', `${SUBNET}.1/24`, 'dev', BR]);
    assert.match(plan.nftRuleset, new RegExp(`table inet ${TABLE} \\{`));
    assert.match(plan.dnsmasqConf, new RegExp(`^dhcp-range=${SUBNET.replace(/\./g, '\\.')}\\.2,${SUBNET.replace(/\./g, '\\.')}\\.254,255\\.255\\.255\\.0$`, 'm'));
    assert.equal(plan.hostsFile, '');
    assert.equal((await links()).includes(BR), false);
    assert.equal((await tables()).includes(TABLE), false);
    const text = (await vk('net-start', NET, '--dry-run')).stdout;
    assert.match(text, new RegExp(`^ip link add name ${BR} `, 'm'));

    // Refusals, each with its code; none changes anything.
    await writeFile(join(root, 'overlap.xml'), natXml(`${NET}o`, undefined, SUBNET));
    assert.equal(errCode((await vk('--json', 'net-define', 'overlap.xml')).stderr), 'XML_CONFLICT');
    await writeFile(join(root, 'samebr.xml'), natXml(`${NET}s`, BR, `10.215.${third}`));
    assert.equal(errCode((await vk('--json', 'net-define', 'samebr.xml')).stderr), 'XML_DUPLICATE');
    await writeFile(join(root, 'range.xml'), natXml(`${NET}r`, undefined, `10.216.${third}`, `<range start='10.217.${third}.2' end='10.217.${third}.9'/>`));
    assert.match(errCode((await vk('--json', 'net-define', 'range.xml')).stderr), /^XML_/);
    await writeFile(join(root, 'long.xml'), natXml(`${NET}l`, `vkn8b${id}toolongname`, `10.218.${third}`));
    assert.equal(errCode((await vk('--json', 'net-define', 'long.xml')).stderr), 'XML_INVALID_VALUE');
    await run('ip', ['link', 'add', DUMMY, 'type', 'bridge']);
    await writeFile(join(root, 'hostlink.xml'), natXml(`${NET}h`, DUMMY, `10.219.${third}`));
    assert.equal(errCode((await vk('--json', 'net-define', 'hostlink.xml')).stderr), 'IFACE_EXISTS');
    // A start that fails half-way (its bridge name taken after define) leaves nothing.
    await run('ip', ['link', 'del', DUMMY]);
    assert.equal((await vk('net-define', 'hostlink.xml')).code, 0);
    await run('ip', ['link', 'add', DUMMY, 'type', 'bridge']);
    assert.equal(errCode((await vk('--json', 'net-start', `${NET}h`)).stderr), 'IFACE_EXISTS');
    await run('ip', ['link', 'del', DUMMY]);
    assert.equal((await tables()).includes(`${TABLE}h`), false);
    assert.equal(existsSync(join(layout.runDir, 'network', 'status', `${NET}h.json`)), false);
    assert.equal((await vk('net-undefine', `${NET}h`)).code, 0);

    // Start: the bridge with its address, the table, one dnsmasq.
    assert.deepEqual(await vk('net-start', NET), { code: 0, stdout: `Network ${NET} started\n\n`, stderr: '' });
    const addrs = JSON.parse((await run('ip', ['-j', 'addr', 'show', 'dev', BR])).stdout) as { addr_info: { local: string }[] }[];
    assert.deepEqual(addrs[0]?.addr_info.map((a) => a.local).filter((a) => a.includes('.')), [`${SUBNET}.1`]);
    assert.match(await tables(), new RegExp(`^table inet ${TABLE}$`, 'm'));
    const pidFile = join(layout.runDir, 'network', `${NET}.pid`);
    pidFiles.push(pidFile);
    let pid1 = Number(readFileSync(pidFile, 'utf8'));
    assert.equal(alive(pid1), true);
    assert.equal(readFileSync(join(layout.runDir, 'network', `${NET}.conf`), 'utf8'), plan.dnsmasqConf);
    assert.match((await vk('net-list', '--all')).stdout, new RegExp(`^ ${NET} +active +no +yes$`, 'm'));
    assert.match((await vk('net-info', NET)).stdout, new RegExp(`^Bridge: +${BR}$`, 'm'));
    assert.equal(errCode((await vk('--json', 'net-start', NET)).stderr), 'OPERATION_INVALID');
    assert.match((await vk('net-dhcp-leases', NET)).stdout, /^ Expiry Time +MAC address +Protocol +IP address +Hostname +Client ID or DUID\n-+\n/);
    assert.deepEqual(JSON.parse((await vk('--json', 'net-dhcp-leases', NET)).stdout), []);

    // net-update, live and config: the hosts file is rewritten, dnsmasq reloaded (the same process).
    const host = `<host mac='52:54:00:aa:00:01' name='fixed' ip='${SUBNET}.9'/>`;
    assert.deepEqual(await vk('net-update', NET, 'add', 'ip-dhcp-host', host, '--live', '--config'),
      { code: 0, stdout: `Updated network ${NET} persistent and live state\n\n`, stderr: '' });
    assert.equal(readFileSync(join(layout.runDir, 'network', `${NET}.hostsfile`), 'utf8'), `52:54:00:aa:00:01,${SUBNET}.9,fixed\n`);
    assert.equal(Number(readFileSync(pidFile, 'utf8')), pid1);
    assert.match((await vk('net-dumpxml', NET, '--inactive')).stdout, /<host mac='52:54:00:aa:00:01' name='fixed'/);
    assert.equal(errCode((await vk('--json', 'net-update', NET, 'add', 'ip-dhcp-host', host, '--live')).stderr), 'OPERATION_INVALID');
    // A second range needs a new configuration: dnsmasq is started again on it (the lease file stays).
    assert.equal((await vk('net-update', NET, 'add', 'ip-dhcp-range', `<range start='${SUBNET}.2' end='${SUBNET}.8'/>`, '--live')).code, 0);
    const conf = readFileSync(join(layout.runDir, 'network', `${NET}.conf`), 'utf8');
    assert.match(conf, new RegExp(`^dhcp-range=${SUBNET.replace(/\./g, '\\.')}\\.2,`, 'm'));
    const pidAfterRange = Number(readFileSync(pidFile, 'utf8'));
    assert.notEqual(pidAfterRange, pid1);
    assert.equal(alive(pidAfterRange), true);
    await until(`dnsmasq ${pid1} gone`, () => !alive(pid1), 10_000);
    pid1 = pidAfterRange;

    // dnsmasq killed: started again, with an event.
    const events: ObjectEvent[] = [];
    const unsub = d.engine.subscribeObjects('network', (e) => events.push(e));
    process.kill(pid1, 'SIGKILL');
    await until('dnsmasq restarted', () => events.find((e) => e.event === 'dnsmasq-restarted'), 20_000);
    unsub();
    const pid2 = Number(readFileSync(pidFile, 'utf8'));
    assert.notEqual(pid2, pid1);
    assert.equal(alive(pid2), true);

    // Daemon restart: the network is re-adopted with its dnsmasq; destroy then removes all of it.
    await d.close();
    daemons.delete(d);
    assert.equal(alive(pid2), true);
    d = await start();
    assert.match((await vk('net-list')).stdout, new RegExp(`^ ${NET} +active +no +yes$`, 'm'));
    assert.equal(Number(readFileSync(pidFile, 'utf8')), pid2);
    // The re-adopted dnsmasq is no child of this daemon: killed, it is noticed and started again too.
    const events2: ObjectEvent[] = [];
    const unsub2 = d.engine.subscribeObjects('network', (e) => events2.push(e));
    process.kill(pid2, 'SIGKILL');
    await until('adopted dnsmasq restarted', () => events2.find((e) => e.event === 'dnsmasq-restarted'), 20_000);
    unsub2();
    const pid3 = Number(readFileSync(pidFile, 'utf8'));
    assert.notEqual(pid3, pid2);
    assert.equal(alive(pid3), true);
    assert.deepEqual(await vk('net-destroy', NET), { code: 0, stdout: `Network ${NET} destroyed\n\n`, stderr: '' });
    assert.equal((await links()).includes(BR), false);
    assert.equal((await tables()).includes(TABLE), false);
    await until('dnsmasq gone', () => !alive(pid3), 10_000);
    assert.equal((await vk('net-undefine', NET)).code, 0);

    // `default` is defined (not started) and marked autostart on first use: NAT on 192.168.N.0/24.
    assert.equal((await vk('net-info', 'default')).code, 0);
    assert.match((await vk('net-list', '--all')).stdout, /^ default +inactive +yes +yes$/m);
    assert.match((await vk('net-dumpxml', 'default')).stdout, /<forward mode='nat'\/>[^]*<ip address='192\.168\.\d+\.1' netmask='255\.255\.255\.0'>/);
    assert.equal((await vk('net-undefine', 'default')).code, 0);
    await d.close();
    daemons.delete(d);
    await assertLeftNothing(root, layout);
  });
});
