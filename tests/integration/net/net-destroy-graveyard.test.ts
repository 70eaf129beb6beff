/**
 * net-destroy returns without waiting for the kernel's deletion of the bridge: the bridge is taken
 * down and renamed to a grave (vkdel + 8 hex digits) and deleted in the background
 * (src/daemon/networks/bridge-graveyard.ts). With a real bridge, real dnsmasq and nft, and the
 * graves' deletion held back by a gate in the ip runner (so that each state is seen for sure):
 * destroy returns with the bridge's name gone and the grave there; the same network starts again
 * at once; the grave is deleted once let go, its marker with it; close() waits for deletions; and
 * a daemon that "dies" between the rename and the deletion (a second engine on the same instance,
 * the first never let go) leaves a grave that the next start-up deletes. Names vkn8g + a random id.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { makeInstanceDirs } from '../../../src/daemon/paths.js';
import { runIp, type IpRunner } from '../../../src/host/net/ip-runner.js';
import { networkEngine } from '../../helpers/network-engine.js';
import { tempRoot } from '../daemon-harness.js';

const run = promisify(execFile);
const id = randomBytes(2).toString('hex');
const NET = `vkn8g${id}`;
const BR = `vkn8g${id}b`;
const SUB = `10.226.${randomInt(10, 250)}`;
const XML = `<network><name>${NET}</name><forward mode='nat'/><bridge name='${BR}'/>` +
  `<ip address='${SUB}.1' prefix='24'><dhcp><range start='${SUB}.10' end='${SUB}.20'/></dhcp></ip></network>`;

const links = async (): Promise<string[]> => (JSON.parse((await run('ip', ['-j', 'link', 'show'])).stdout) as { ifname: string }[]).map((l) => l.ifname);
/** Every grave this test saw: removed in after() whatever happened. */
const graves = new Set<string>();
let root = '';

after(async () => {
  for (const l of [BR, ...graves]) await run('ip', ['link', 'del', l]).catch(() => undefined);
  await run('nft', ['delete', 'table', 'inet', `virtkit_${NET}`]).catch(() => undefined);
  if (root !== '') await rm(root, { recursive: true, force: true });
});

/** The real ip, except that a grave's deletion waits until `release()`. */
function gatedIp(): { ip: IpRunner; release: () => void; held: string[] } {
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  const held: string[] = [];
  const ip: IpRunner = async (args) => {
    const dev = args[3] ?? '';
    if (args[0] === 'link' && args[1] === 'del' && dev.startsWith('vkdel')) {
      held.push(dev);
      graves.add(dev);
      await gate;
    }
    return runIp(args);
  };
  return { ip, release, held };
}

describe('net-destroy: the bridge renamed to a grave, deleted in the background', { timeout: 60_000 }, () => {
  it('destroy frees the name at once, a start right after works, the grave goes, a left grave is deleted at the next start-up', async () => {
    const t = await tempRoot('vk-n8g-');
    root = t.root;
    makeInstanceDirs(t.layout);
    const graveDir = join(t.layout.runDir, 'network', 'graves');
    const log: string[] = [];
    const first = gatedIp();
    const engine = networkEngine(t.layout, { ip: first.ip }, log);
    await engine.load();
    await engine.dispatch({ kind: 'netDefine', xml: XML });
    await engine.dispatch({ kind: 'netStart', network: NET });
    assert.ok((await links()).includes(BR));

    await engine.dispatch({ kind: 'netDestroy', network: NET });
    assert.equal((await engine.dispatch({ kind: 'netGet', network: NET })).active, false);
    let now = await links();
    assert.equal(now.includes(BR), false, 'the bridge name is free when destroy returns');
    const [grave] = await readdir(graveDir);
    assert.match(grave ?? '', /^vkdel[0-9a-f]{8}$/u);
    assert.ok(now.includes(grave ?? ''), 'the grave is there while its deletion is held');
    const state = (await run('ip', ['-j', 'link', 'show', 'dev', grave ?? ''])).stdout;
    assert.doesNotMatch(state, /"UP"/u, 'the grave is down');

    // The same network again, while the old bridge's deletion waits.
    await engine.dispatch({ kind: 'netStart', network: NET });
    assert.ok((await links()).includes(BR));
    await engine.dispatch({ kind: 'netDestroy', network: NET });
    assert.equal(engine.ctx.networks.graveyard.pending, 2);

    first.release();
    await engine.close(); // waits for the deletions
    now = await links();
    assert.deepEqual(first.held.filter((g) => now.includes(g)), [], 'the graves were deleted');
    assert.deepEqual(await readdir(graveDir), [], 'and their markers removed');

    // A daemon that dies between the rename and the deletion: its grave is deleted at the next start-up.
    const dying = gatedIp();
    const dead = networkEngine(t.layout, { ip: dying.ip }, log);
    await dead.load();
    await dead.dispatch({ kind: 'netStart', network: NET });
    await dead.dispatch({ kind: 'netDestroy', network: NET });
    const [left] = await readdir(graveDir);
    assert.ok(left !== undefined && (await links()).includes(left), 'a grave is left');
    const next = networkEngine(t.layout, { ip: runIp }, log);
    await next.load();
    assert.equal((await links()).includes(left), false, 'the next start-up deleted it');
    assert.deepEqual(await readdir(graveDir), []);
    assert.ok(log.some((m) => /deleted 1 bridge\(s\) of destroyed networks/.test(m)), log.join('\n'));
    await next.dispatch({ kind: 'netUndefine', network: NET });
    await next.close();
    dying.release(); // the dead engine's deletion: the grave is gone already, which is fine
    await dead.ctx.networks.graveyard.drain();
    assert.deepEqual(await readdir(graveDir), []);
  });
});
