/**
 * kill -9 of virtkitd with networks whose <virtkit:link> goes into a namespace of the test: the
 * next daemon re-adopts a network whose bridge is still there (its link stays, and net-destroy
 * removes it), and takes off the host what is left of one whose bridge is gone (the link's host
 * end, left behind by the kernel when the bridge went, is removed). A network on a host bridge
 * of the test (forward mode bridge) is re-adopted, and its bridge is never removed. Names: vkn8r + a random id;
 * subnets 10.230.N+i.0/24.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { api, assertLeftNothing, spawnDaemon, tempRoot } from '../daemon-harness.js';

const run = promisify(execFile);
const id = randomBytes(2).toString('hex');
const tag = `vkn8r${id}`;
const NS = `${tag}-ns`;
const base = randomInt(10, 200);
const NETS = [0, 1].map((i) => ({ name: `${tag}n${i}`, bridge: `${tag}b${i}`, link: `${tag}l${i}`, sub: `10.230.${base + i}` }));
const xml = (n: (typeof NETS)[number]) => `<network xmlns:virtkit='https://virtkit.dev/xmlns/network/1'><name>${n.name}</name><bridge name='${n.bridge}'/>` +
  `<ip address='${n.sub}.1' prefix='24'/><virtkit:link dev='${n.link}'><virtkit:peer netns='${NS}'/>` +
  `<virtkit:ip address='${n.sub}.50' prefix='24'/></virtkit:link></network>`;

const HB = { name: `${tag}hb`, bridge: `${tag}h` };
const hostBridgeXml = `<network><name>${HB.name}</name><forward mode='bridge'/><bridge name='${HB.bridge}'/></network>`;

const links = async (ns?: string): Promise<string[]> =>
  (JSON.parse((await run('ip', [...(ns === undefined ? [] : ['-n', ns]), '-j', 'link', 'show'])).stdout) as { ifname: string }[]).map((l) => l.ifname);

before(async () => {
  await run('ip', ['netns', 'add', NS]);
  await run('ip', ['link', 'add', HB.bridge, 'type', 'bridge']);
});
after(async () => {
  for (const l of await links()) if (l.startsWith(tag)) await run('ip', ['link', 'del', l]).catch(() => undefined);
  for (const n of NETS) await run('nft', ['delete', 'table', 'inet', `virtkit_${n.name}`]).catch(() => undefined);
  await run('ip', ['netns', 'del', NS]).catch(() => undefined);
});

describe('network links after a daemon crash', { timeout: 120_000 }, () => {
  it('kill -9: a network whose bridge remains keeps its link; one whose bridge went loses it; destroy leaves nothing', async () => {
    const { root, layout } = await tempRoot();
    let daemon = await spawnDaemon(layout);
    try {
      for (const n of NETS) {
        assert.equal((await api(layout, 'POST', '/v1/networks', { xml: xml(n) })).status, 201);
        assert.equal((await api(layout, 'POST', `/v1/networks/${n.name}/actions/start`, {})).status, 200);
        assert.ok((await links()).includes(n.link), `${n.link} made at start`);
      }
      assert.equal((await api(layout, 'POST', '/v1/networks', { xml: hostBridgeXml })).status, 201);
      assert.equal((await api(layout, 'POST', `/v1/networks/${HB.name}/actions/start`, {})).status, 200);
      await daemon.stop('SIGKILL');
      const [kept, lost] = NETS as [(typeof NETS)[number], (typeof NETS)[number]];
      await run('ip', ['link', 'del', lost.bridge]);
      assert.ok((await links()).includes(lost.link), 'the kernel leaves a veth behind when its bridge goes');

      daemon = await spawnDaemon(layout);
      const list = (await api(layout, 'GET', '/v1/networks')).body as { networks: { name: string; active: boolean }[] };
      assert.deepEqual(list.networks.map((x) => [x.name, x.active]), [[HB.name, true], [kept.name, true], [lost.name, false]]);
      const host = await links();
      assert.ok(host.includes(kept.link), 'the re-adopted network keeps its link');
      assert.equal(host.includes(lost.link), false, 'the link of the network that is gone is removed');
      assert.deepEqual((await links(NS)).filter((l) => l.startsWith(tag)), [kept.link], 'only the kept link ends in the namespace');

      assert.equal((await api(layout, 'POST', `/v1/networks/${kept.name}/actions/destroy`, {})).status, 200);
      assert.equal((await api(layout, 'POST', `/v1/networks/${HB.name}/actions/destroy`, {})).status, 200);
      assert.ok((await links()).includes(HB.bridge), 'the host bridge is the admin\'s: kept');
      await run('ip', ['link', 'del', HB.bridge]);
      assert.equal((await api(layout, 'DELETE', `/v1/networks/${HB.name}`)).status, 200);
      for (const n of NETS) assert.equal((await api(layout, 'DELETE', `/v1/networks/${n.name}`)).status, 200);
      assert.deepEqual((await links()).filter((l) => l.startsWith(tag)), []);
      assert.deepEqual((await links(NS)).filter((l) => l.startsWith(tag)), []);
      await daemon.stop('SIGTERM');
    } finally {
      if (daemon.child.exitCode === null) await daemon.stop('SIGKILL');
    }
    await assertLeftNothing(root, layout);
  });
});
