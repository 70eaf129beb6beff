/**
 * kill -9 of virtkitd while pools are being defined and volumes made: every acknowledged pool define
 * and volume create survives the restart (pools active again from their status files), and no
 * half-made volume is ever listed (the import the kill interrupted was a hidden temp file, removed
 * at the restart; every listed qcow2 passes qemu-img check).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { watch } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isTempVolume } from '../../src/host/storage/volume-files.js';
import { api, assertLeftNothing, spawnDaemon, tempRoot } from './daemon-harness.js';

const POOLS = 6;
const poolXml = (name: string, dir: string) => `<pool type='dir'><name>${name}</name><target><path>${dir}</path></target></pool>`;
const volXml = (name: string, format: string) => `<volume><name>${name}</name><capacity unit='M'>1</capacity><target><format type='${format}'/></target></volume>`;

describe('storage crash safety', { timeout: 120_000 }, () => {
  it('kill -9 during an import and volume creates: acknowledged pools and volumes survive, no half-made volume is listed', async () => {
    const { root, layout } = await tempRoot();
    let daemon = await spawnDaemon(layout);
    try {
      const pools = Array.from({ length: POOLS }, (_, i) => `p${i}`);
      const dirOf = (p: string) => join(root, 'pools', p);
      for (const p of pools) {
        assert.equal((await api(layout, 'POST', '/v1/pools', { xml: poolXml(p, dirOf(p)) })).status, 201);
        assert.equal((await api(layout, 'POST', `/v1/pools/${p}/actions/start`, { build: true })).status, 200);
      }
      const acknowledged = new Map<string, string[]>(pools.map((p) => [p, []]));
      await Promise.all(pools.map(async (p) => {
        for (const v of ['a.raw', 'b.qcow2']) {
          const r = await api(layout, 'POST', `/v1/pools/${p}/volumes?wait=30000`, { xml: volXml(v, v.endsWith('.raw') ? 'raw' : 'qcow2') });
          assert.equal(r.status, 201, JSON.stringify(r.body));
          acknowledged.get(p)?.push(v);
        }
      }));

      // An import big enough to be cut off, killed the moment its temp file appears; volume creates in flight meanwhile.
      const big = join(root, 'big.raw');
      execFileSync('dd', ['if=/dev/urandom', `of=${big}`, 'bs=1M', 'count=64', 'status=none']);
      const watcher = watch(dirOf('p0'), (_e, file) => {
        if (file !== null && isTempVolume(String(file)) && String(file).includes('imported')) {
          watcher.close();
          process.kill(daemon.pid, 'SIGKILL');
        }
      });
      const inFlight = pools.slice(1).map(async (p) => {
        for (let i = 0; i < 20; i++) {
          const v = `c${i}.qcow2`;
          try {
            const r = await api(layout, 'POST', `/v1/pools/${p}/volumes?wait=30000`, { xml: volXml(v, 'qcow2') });
            assert.equal(r.status, 201, JSON.stringify(r.body));
            acknowledged.get(p)?.push(v);
          } catch {
            return; // the daemon died with this request in flight
          }
        }
      });
      const ackedPools: string[] = [];
      const poolDefines = (async () => {
        for (let i = 0; i < 40; i++) {
          try {
            const r = await api(layout, 'POST', '/v1/pools', { xml: poolXml(`q${i}`, join(root, 'more', `q${i}`)) });
            assert.equal(r.status, 201, JSON.stringify(r.body));
            ackedPools.push(`q${i}`);
          } catch {
            return;
          }
        }
      })();
      const imported = api(layout, 'POST', '/v1/pools/p0/actions/volume-import', { file: big, format: 'raw', name: 'imported.qcow2' })
        .then(() => assert.fail('the import was acknowledged: the kill came too late'), () => undefined);
      await Promise.all([...inFlight, imported, poolDefines]);
      watcher.close();
      assert.equal(await daemon.stop(), null); // gone by SIGKILL
      const temps = (await readdir(dirOf('p0'))).filter(isTempVolume);
      assert.ok(temps.length > 0, 'the kill left no temp file: it did not interrupt the import');

      daemon = await spawnDaemon(layout);
      const listed = (await api(layout, 'GET', '/v1/pools')).body as { pools: { name: string; active: boolean }[] };
      assert.deepEqual(listed.pools.filter((p) => pools.includes(p.name)).map((p) => [p.name, p.active]), pools.map((p) => [p, true]));
      const names = listed.pools.map((p) => p.name);
      for (const q of ackedPools) assert.ok(names.includes(q), `acknowledged pool ${q} is lost`);
      for (const p of pools) {
        const vols = ((await api(layout, 'GET', `/v1/pools/${p}/volumes`)).body as { volumes: { name: string; path: string; format: string }[] }).volumes;
        const names = vols.map((v) => v.name);
        for (const v of acknowledged.get(p) ?? []) assert.ok(names.includes(v), `acknowledged volume ${p}/${v} is lost`);
        assert.ok(!names.includes('imported.qcow2'), 'the interrupted import is listed');
        for (const v of vols) if (v.format === 'qcow2') execFileSync('qemu-img', ['check', '-q', '-f', 'qcow2', v.path]);
        assert.deepEqual((await readdir(dirOf(p))).filter(isTempVolume), [], `temp files left in ${p}`);
      }
      assert.equal(await daemon.stop('SIGTERM'), 0);
    } finally {
      await daemon.stop('SIGKILL');
    }
    await assertLeftNothing(root, layout, daemon.pid);
  });
});
