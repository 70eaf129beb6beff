/**
 * A start that fails at its last step (dnsmasq exits at once: a stand-in dnsmasq that reports
 * a version and then fails) undoes every step before it: the bridge, its addresses, the nft
 * table and the files are gone, the network is inactive and has no status file; the error is
 * DNSMASQ_FAILED quoting dnsmasq's output. Real ip and nft on the host; names vkn8u + a random id.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { makeInstanceDirs } from '../../../src/daemon/paths.js';
import { networkEngine } from '../../helpers/network-engine.js';
import { tempRoot } from '../daemon-harness.js';

const run = promisify(execFile);
const id = randomBytes(2).toString('hex');
const NET = `vkn8u${id}`;
const BR = `vkn8u${id}b`;
const SUB = `10.225.${randomInt(10, 250)}`;

let root = '';
after(async () => {
  await run('ip', ['link', 'del', BR]).catch(() => undefined);
  await run('nft', ['delete', 'table', 'inet', `virtkit_${NET}`]).catch(() => undefined);
  if (root !== '') await rm(root, { recursive: true, force: true });
});

describe('a network start that fails half-way', { timeout: 60_000 }, () => {
  it('dnsmasq failing at start: DNSMASQ_FAILED, and bridge, table and files are gone', async () => {
    const t = await tempRoot('vk-n8u-');
    root = t.root;
    const layout = t.layout;
    makeInstanceDirs(layout); // as the daemon does at its start: run/ 0711, for dnsmasq's user
    const fake = join(root, 'dnsmasq');
    await writeFile(fake, '#!/bin/sh\n[ "$1" = --version ] && { echo "Dnsmasq version 2.90  Copyright (c)"; exit 0; }\necho "dnsmasq: failed to bind DHCP server socket: Address in use" >&2\nexit 2\n', { mode: 0o755 });
    const log: string[] = [];
    const engine = networkEngine(layout, { dnsmasqBin: fake }, log);
    await engine.load();
    await engine.dispatch({ kind: 'netDefine', xml: `<network><name>${NET}</name><forward mode='nat'/><bridge name='${BR}'/>` +
      `<ip address='${SUB}.1' prefix='24'><dhcp><range start='${SUB}.10' end='${SUB}.20'/></dhcp></ip></network>` });
    await assert.rejects(engine.dispatch({ kind: 'netStart', network: NET }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'DNSMASQ_FAILED');
      assert.match(e.message, /failed to bind DHCP server socket/);
      return true;
    });
    const links = (JSON.parse((await run('ip', ['-j', 'link', 'show'])).stdout) as { ifname: string }[]).map((l) => l.ifname);
    assert.equal(links.includes(BR), false, 'the bridge was removed');
    assert.doesNotMatch((await run('nft', ['list', 'tables'])).stdout, new RegExp(`virtkit_${NET}\\b`), 'the table was removed');
    const netDir = join(layout.runDir, 'network');
    assert.deepEqual(readdirSync(netDir).filter((f) => f.startsWith(NET)), [], 'no file of the network is left');
    assert.equal(existsSync(join(netDir, 'status', `${NET}.json`)), false);
    assert.equal((await engine.dispatch({ kind: 'netGet', network: NET })).active, false);
    await engine.close();
  });
});
