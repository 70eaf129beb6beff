/**
 * A network's bridge, its addresses and `up` go to one `ip` started ahead of time (the daemon's
 * own `ip`: NetworkContext.warmIp), whose error says which step failed. With real bridges
 * (names vkn8w + a random id, subnet 10.227.N.0/24): a bridge name taken by someone else between
 * the host check and the making fails with IFACE_EXISTS and that bridge is left as it was (never
 * undone); a failure after the bridge was made (an address ip refuses) removes the bridge; a
 * start that succeeds has the bridge up with its address.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { parseNetworkXml, prepareNetwork } from '../../../src/core/xml/network/index.js';
import { defaultNetworkDeps, NetworkContext } from '../../../src/daemon/networks/context.js';
import { makeNetwork, unmakeNetwork } from '../../../src/daemon/networks/host-steps.js';
import { planFor } from '../../../src/daemon/networks/lifecycle.js';
import { makeInstanceDirs } from '../../../src/daemon/paths.js';
import { tempRoot } from '../daemon-harness.js';

const run = promisify(execFile);
const id = randomBytes(2).toString('hex');
const TAKEN = `vkn8w${id}t`;
const BR = `vkn8w${id}b`;
const SUB = `10.227.${randomInt(10, 250)}`;
let root = '';

after(async () => {
  for (const l of [TAKEN, BR]) await run('ip', ['link', 'del', l]).catch(() => undefined);
  for (const n of ['t', 'b', 'ok']) await run('nft', ['delete', 'table', 'inet', `virtkit_vkn8w${id}${n}`]).catch(() => undefined);
  if (root !== '') await rm(root, { recursive: true, force: true });
});

const xml = (name: string, bridge: string): string => `<network><name>${name}</name><forward mode='nat'/><bridge name='${bridge}'/>` +
  `<ip address='${SUB}.1' prefix='24'><dhcp><range start='${SUB}.10' end='${SUB}.20'/></dhcp></ip></network>`;
const def = (name: string, bridge: string) => prepareNetwork(parseNetworkXml(xml(name, bridge)), { random: (n) => randomBytes(n), macsInUse: new Set() });
const links = async (): Promise<string[]> => (JSON.parse((await run('ip', ['-j', 'link', 'show'])).stdout) as { ifname: string }[]).map((l) => l.ifname);
const addrs = async (dev: string): Promise<string[]> =>
  (JSON.parse((await run('ip', ['-j', 'addr', 'show', 'dev', dev])).stdout) as { addr_info: { local: string }[] }[]).flatMap((l) => l.addr_info.map((a) => a.local));

describe('the bridge made through a waiting ip', { timeout: 60_000 }, () => {
  it('a taken name is never undone; a later failed step removes the bridge; a good start makes it up', async () => {
    const t = await tempRoot('vk-n8w-');
    root = t.root;
    makeInstanceDirs(t.layout);
    const log: string[] = [];
    const ctx = new NetworkContext({ ...defaultNetworkDeps(t.layout, { warn: (m) => log.push(m) }), log: { info: () => undefined, warn: (m) => log.push(m), error: (m) => log.push(m) } });
    assert.ok(ctx.warmIp !== undefined, 'the real ip gets waiting processes');
    const noExit = (): void => undefined;

    // Someone else's bridge of that name (made after the host check would have passed).
    await run('ip', ['link', 'add', TAKEN, 'type', 'bridge']);
    await run('ip', ['addr', 'add', '10.227.9.9/32', 'dev', TAKEN]);
    await assert.rejects(makeNetwork(ctx, await planFor(ctx, def(`vkn8w${id}t`, TAKEN)), noExit), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'IFACE_EXISTS', e.message);
      return true;
    });
    assert.ok((await links()).includes(TAKEN), "someone else's bridge is left");
    assert.deepEqual(await addrs(TAKEN), ['10.227.9.9'], 'and left as it was');

    // The bridge made, then its address refused: the bridge is removed.
    const plan = await planFor(ctx, def(`vkn8w${id}b`, BR));
    const bad = plan.commands.map((c) => (c[1] === 'addr' ? ['ip', 'addr', 'add', '300.1.2.3/24', 'dev', BR] : c));
    await assert.rejects(makeNetwork(ctx, { ...plan, commands: bad }, noExit), /300\.1\.2\.3/);
    assert.equal((await links()).includes(BR), false, 'the bridge it made is removed');

    // A good start: up, with its address; then taken off again.
    const dns = await makeNetwork(ctx, plan, noExit);
    assert.deepEqual(await addrs(BR), [`${SUB}.1`]);
    assert.match((await run('ip', ['link', 'show', 'dev', BR])).stdout, /<[^>]*\bUP\b[^>]*>/u, 'the bridge is up');
    await unmakeNetwork(ctx, { network: plan.network, bridge: BR, files: plan.files, dnsmasq: dns, firewall: true, links: [] });
    await ctx.close();
    assert.equal((await links()).includes(BR), false);
    assert.deepEqual(log.filter((m) => !/undoing a failed start/.test(m)), []);
  });
});
