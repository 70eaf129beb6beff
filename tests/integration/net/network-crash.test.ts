/**
 * kill -9 of virtkitd while networks start: the next daemon reconciles. Every network is either
 * running whole (its bridge with its address, its nft table, a live dnsmasq: re-adopted, or
 * dnsmasq started again) or inactive with nothing of it left on the host; destroy then removes
 * everything. Names: vkn8k + a random id; subnets 10.224.N+i.0/24.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { watch } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { api, assertLeftNothing, isAlive, spawnDaemon, tempRoot } from '../daemon-harness.js';

const run = promisify(execFile);
const id = randomBytes(2).toString('hex');
const tag = `vkn8k${id}`;
const base = randomInt(10, 200);
const NETS = Array.from({ length: 4 }, (_, i) => ({ name: `${tag}n${i}`, bridge: `${tag}b${i}`, sub: `10.224.${base + i}` }));
const xml = (n: (typeof NETS)[number]) => `<network><name>${n.name}</name><forward mode='nat'/><bridge name='${n.bridge}'/>` +
  `<ip address='${n.sub}.1' prefix='24'><dhcp><range start='${n.sub}.10' end='${n.sub}.20'/></dhcp></ip></network>`;

const links = async (): Promise<string[]> => (JSON.parse((await run('ip', ['-j', 'link', 'show'])).stdout) as { ifname: string }[]).map((l) => l.ifname);
const tables = async (): Promise<string> => (await run('nft', ['list', 'tables'])).stdout;

after(async () => {
  for (const l of await links()) if (l.startsWith(tag)) await run('ip', ['link', 'del', l]).catch(() => undefined);
  for (const n of NETS) await run('nft', ['delete', 'table', 'inet', `virtkit_${n.name}`]).catch(() => undefined);
});

describe('network crash safety', { timeout: 120_000 }, () => {
  it('kill -9 while networks start: after the restart each is whole or gone; destroy leaves nothing', async () => {
    const { root, layout } = await tempRoot();
    let daemon = await spawnDaemon(layout);
    const netDir = join(layout.runDir, 'network');
    const pidOf = async (name: string): Promise<number | undefined> => {
      const n = Number((await readFile(join(netDir, `${name}.pid`), 'utf8').catch(() => '')).trim());
      return Number.isInteger(n) && n > 0 ? n : undefined;
    };
    const seenPids = new Set<number>();
    try {
      for (const n of NETS) assert.equal((await api(layout, 'POST', '/v1/networks', { xml: xml(n) })).status, 201);
      await mkdir(join(netDir, 'status'), { recursive: true });
      // Killed the moment the second network records anything: starts are in flight, some done, some not.
      let events = 0;
      const killed = new Promise<void>((resolve) => {
        const w = watch(join(netDir, 'status'), () => {
          if (++events === 3) {
            daemon.child.kill('SIGKILL');
            w.close();
            resolve();
          }
        });
      });
      const starts = NETS.map((n) => api(layout, 'POST', `/v1/networks/${n.name}/actions/start`, {}).catch(() => undefined));
      await killed;
      await Promise.all(starts);
      await daemon.stop('SIGKILL');
      for (const n of NETS) {
        const p = await pidOf(n.name);
        if (p !== undefined) seenPids.add(p);
      }

      daemon = await spawnDaemon(layout);
      const list = (await api(layout, 'GET', '/v1/networks')).body as { networks: { name: string; active: boolean }[] };
      const host = await links();
      const nft = await tables();
      for (const n of NETS) {
        const active = list.networks.find((x) => x.name === n.name)?.active ?? false;
        const pid = await pidOf(n.name);
        if (active) {
          assert.ok(host.includes(n.bridge), `${n.name} is active: its bridge is there`);
          assert.match(nft, new RegExp(`table inet virtkit_${n.name}\\b`));
          assert.ok(pid !== undefined && isAlive(pid), `${n.name} is active: its dnsmasq runs`);
          seenPids.add(pid);
        } else {
          assert.equal(host.includes(n.bridge), false, `${n.name} is inactive: no bridge`);
          assert.doesNotMatch(nft, new RegExp(`table inet virtkit_${n.name}\\b`));
          assert.equal(pid, undefined, `${n.name} is inactive: no pid file`);
        }
      }
      for (const n of NETS) {
        const active = list.networks.find((x) => x.name === n.name)?.active ?? false;
        if (active) assert.equal((await api(layout, 'POST', `/v1/networks/${n.name}/actions/destroy`, {})).status, 200);
        assert.equal((await api(layout, 'DELETE', `/v1/networks/${n.name}`)).status, 200);
      }
      assert.deepEqual((await links()).filter((l) => l.startsWith(tag)), []);
      assert.doesNotMatch(await tables(), new RegExp(tag));
      for (const p of seenPids) assert.equal(isAlive(p), false, `dnsmasq ${p} is gone`);
      await daemon.stop('SIGTERM');
    } finally {
      if (daemon.child.exitCode === null) await daemon.stop('SIGKILL');
    }
    await assertLeftNothing(root, layout);
  });
});
