/**
 * A NAT network coexisting with other firewall users, all inside network namespaces the test
 * makes (the host's own firewall is never touched). The daemon's network runs in namespace R
 * (its ip, nft and dnsmasq pointed there); R also has Docker's rules (iptables-nft, FORWARD policy
 * DROP) or an nft table whose forward chain drops by default. A client namespace C on the
 * network's bridge (a veth) gets a lease from the network's dnsmasq (tests/helpers/dhcp-probe.ts)
 * and reaches an "outside" namespace O (a TCP connection: the host has no ping), routed through R,
 * which sees R's address (masquerade).
 * Names vkn8f + a random id; everything is removed in after().
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import type { Engine } from '../../../src/daemon/engine/engine.js';
import { makeInstanceDirs, type InstanceLayout } from '../../../src/daemon/paths.js';
import { runIp } from '../../../src/host/net/ip-runner.js';
import { nftRunner } from '../../../src/host/net/nft-run.js';
import { DOCKER_FILTER, DOCKER_IPTABLES, FOREIGN_NFT } from '../../helpers/foreign-firewalls.js';
import { repoRoot } from '../../helpers/paths.js';
import { networkEngine } from '../../helpers/network-engine.js';
import { tempRoot } from '../daemon-harness.js';

const run = promisify(execFile);
const id = randomBytes(2).toString('hex');
const R = `vkn8f${id}-r`;
const C = `vkn8f${id}-c`;
const O = `vkn8f${id}-o`;
const BR = `vkn8f${id}b`;
const n = randomInt(10, 250);
const NET_SUB = `10.227.${n}`;
const OUT_SUB = `10.226.${n}`;
const CLIENT_MAC = '52:54:00:8f:00:01';
const PORT = 7777;
/** No ping on the host: a TCP server in O and a connection from C stand in (node is there). */
const SERVER = `require('net').createServer((s) => s.end('outside')).listen(${PORT}, () => console.log('up'))`;
const CLIENT = (host: string) => `const s = require('net').connect(${PORT}, '${host}'); let d = ''; s.on('data', (c) => (d += c)); s.on('end', () => console.log(d)); s.on('error', (e) => { console.error(e.message); process.exit(1); }); s.setTimeout(10000, () => process.exit(2));`;
const probe = join(repoRoot, 'dist', 'tests', 'helpers', 'dhcp-probe.js');

const inNs = (ns: string, args: string[], input?: string): Promise<string> => new Promise((resolve, reject) => {
  const child = execFile('ip', ['netns', 'exec', ns, ...args], (e, stdout, stderr) => (e ? reject(new Error(`${args.join(' ')}: ${stderr || e.message}`)) : resolve(stdout)));
  if (input !== undefined) child.stdin?.end(input);
});

let root = '';
after(async () => {
  for (const ns of [R, C, O]) await run('ip', ['netns', 'del', ns]).catch(() => undefined);
  if (root !== '') await rm(root, { recursive: true, force: true });
});

async function lab(foreign: 'docker' | 'nft'): Promise<void> {
  // What an earlier failed case left (the namespaces are this test's own).
  for (const ns of [R, C, O]) await run('ip', ['netns', 'del', ns]).catch(() => undefined);
  for (const ns of [R, C, O]) {
    await run('ip', ['netns', 'add', ns]);
    await inNs(ns, ['ip', 'link', 'set', 'lo', 'up']);
  }
  await run('ip', ['link', 'add', `vkn8f${id}u`, 'netns', R, 'type', 'veth', 'peer', 'name', `vkn8f${id}o`, 'netns', O]);
  await inNs(R, ['ip', 'addr', 'add', `${OUT_SUB}.1/24`, 'dev', `vkn8f${id}u`]);
  await inNs(R, ['ip', 'link', 'set', `vkn8f${id}u`, 'up']);
  await inNs(O, ['ip', 'addr', 'add', `${OUT_SUB}.2/24`, 'dev', `vkn8f${id}o`]);
  await inNs(O, ['ip', 'link', 'set', `vkn8f${id}o`, 'up']);
  await inNs(O, ['nft', 'add table inet probe; add chain inet probe input { type filter hook input priority 0; }; ' +
    `add rule inet probe input ip saddr ${OUT_SUB}.1 tcp dport ${PORT} counter`]);
  if (foreign === 'docker') {
    await inNs(R, ['iptables-restore'], DOCKER_IPTABLES);
    await inNs(R, ['ip6tables-restore'], DOCKER_FILTER);
  } else {
    await inNs(R, ['nft', '-f', '-'], FOREIGN_NFT);
  }
}

function engineIn(ns: string, layout: InstanceLayout, dnsmasq: string): Engine {
  return networkEngine(layout, {
    ip: (args) => runIp(['-n', ns, ...args]),
    nft: nftRunner(['ip', 'netns', 'exec', ns]),
    dnsmasqBin: dnsmasq,
    setSysctl: async (key, value) => {
      await inNs(ns, ['sysctl', '-q', '-w', `${key}=${value}`]);
    },
  });
}

describe('a NAT network with other firewalls in place (in namespaces)', { timeout: 120_000 }, () => {
  for (const foreign of ['docker', 'nft'] as const) {
    it(`${foreign === 'docker' ? "Docker's FORWARD policy DROP" : 'an nft forward chain with policy drop'}: a client gets a lease and reaches the outside, masqueraded`, async () => {
      await lab(foreign);
      const t = await tempRoot('vk-n8f-');
      root = t.root;
      const layout = t.layout;
      makeInstanceDirs(layout); // as the daemon does at its start: run/ 0711, for dnsmasq's user
      // dnsmasq in R: `ip netns exec` execs it, so the pid stays the one the daemon spawned.
      const dnsmasq = join(root, 'dnsmasq-in-ns');
      await writeFile(dnsmasq, `#!/bin/sh\nexec ip netns exec ${R} dnsmasq "$@"\n`, { mode: 0o755 });
      const engine = engineIn(R, layout, dnsmasq);
      await engine.load();
      await engine.dispatch({ kind: 'netDefine', xml: `<network><name>vkn8f${id}</name><forward mode='nat'/><bridge name='${BR}'/>` +
        `<ip address='${NET_SUB}.1' prefix='24'><dhcp><range start='${NET_SUB}.10' end='${NET_SUB}.20'/></dhcp></ip></network>` });
      await engine.dispatch({ kind: 'netStart', network: `vkn8f${id}` });
      try {
        // The client: a veth whose peer is plugged into the network's bridge.
        await run('ip', ['link', 'add', `vkn8f${id}c`, 'netns', C, 'address', CLIENT_MAC, 'type', 'veth', 'peer', 'name', `vkn8f${id}p`, 'netns', R]);
        await inNs(R, ['ip', 'link', 'set', `vkn8f${id}p`, 'master', BR, 'up']);
        await inNs(C, ['ip', 'link', 'set', `vkn8f${id}c`, 'up']);
        await inNs(C, ['ip', 'route', 'add', 'default', 'dev', `vkn8f${id}c`]);
        const lease = JSON.parse(await inNs(C, [process.execPath, probe, CLIENT_MAC, 'client'])) as { ip: string };
        assert.match(lease.ip, new RegExp(`^${NET_SUB.replace(/\./g, '\\.')}\\.(1[0-9]|20)$`));
        await inNs(C, ['ip', 'route', 'del', 'default']);
        await inNs(C, ['ip', 'addr', 'add', `${lease.ip}/24`, 'dev', `vkn8f${id}c`]);
        await inNs(C, ['ip', 'route', 'add', 'default', 'via', `${NET_SUB}.1`]);
        const server = spawn('ip', ['netns', 'exec', O, process.execPath, '-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
        try {
          await new Promise((resolve) => server.stdout.once('data', resolve));
          assert.equal((await inNs(C, [process.execPath, '-e', CLIENT(`${OUT_SUB}.2`)])).trim(), 'outside');
        } finally {
          const exited = new Promise((resolve) => server.once('exit', resolve));
          server.kill('SIGTERM');
          await exited;
        }
        assert.match(await inNs(O, ['nft', 'list', 'table', 'inet', 'probe']), /counter packets [1-9]/, 'the outside saw the connection from R\'s address');
        const leases = await engine.dispatch({ kind: 'netLeases', network: `vkn8f${id}` });
        assert.deepEqual(leases.map((l) => [l.mac, l.ip, l.hostname]), [[CLIENT_MAC, lease.ip, 'client']]);
      } finally {
        await engine.dispatch({ kind: 'netDestroy', network: `vkn8f${id}` });
        await engine.close();
      }
      assert.doesNotMatch(await inNs(R, ['nft', 'list', 'tables']), /virtkit_/, 'the network\'s table is gone');
      assert.doesNotMatch(await inNs(R, ['ip', '-br', 'link']), new RegExp(BR), 'the bridge is gone');
      for (const ns of [R, C, O]) await run('ip', ['netns', 'del', ns]);
      await rm(root, { recursive: true, force: true });
      root = '';
    });
  }
});
