import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { watch } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { isTempName } from '../../src/daemon/store/atomic.js';
import { FileConfigStore } from '../../src/daemon/store/file-config-store.js';
import { parseDomain, prepareDomain, formatDomain } from '../../src/daemon/domain-xml.js';
import { api, assertLeftNothing, domainXml, rssKiB, spawnDaemon, tempRoot, VIRTKIT } from './daemon-harness.js';

const run = promisify(execFile);

/** A domain as big as a usual one: a disk, a NIC, a console. */
const realisticXml = (name: string): string => domainXml(name, `  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/var/lib/virtkit/images/${name}.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='network'>
      <mac address='52:54:00:12:34:56'/>
      <source network='default'/>
      <model type='virtio'/>
    </interface>
    <serial type='pty'/>
    <console type='pty'/>
  </devices>
`);

/** Defines in all, and how many are acknowledged before the burst that the kill interrupts. */
const TOTAL = 100;
const KILL_AFTER = 20;

describe('daemon crash safety and start-up', () => {
  it(`kill -9 after ${KILL_AFTER} acknowledged defines, during ${TOTAL - KILL_AFTER} concurrent ones: every config on disk is whole and every acknowledged one is there`, async () => {
    const { root, layout } = await tempRoot();
    let daemon = await spawnDaemon(layout);
    try {
      const names = Array.from({ length: TOTAL }, (_, i) => `vm${String(i).padStart(3, '0')}`);
      // First KILL_AFTER defines, all acknowledged: "every acknowledged define survives" is then
      // checked against at least that many.
      const acknowledged: string[] = [];
      await Promise.all(names.slice(0, KILL_AFTER).map(async (name) => {
        const r = await api(layout, 'POST', '/v1/domains', { xml: realisticXml(name) });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        acknowledged.push(name);
      }));
      const killedAfter = acknowledged.length;
      // Then the rest at once, killed the moment the first of them is complete (renamed into place):
      // the others are in flight, some half written.
      const watcher = watch(layout.domainsDir, (_event, file) => {
        const f = file === null ? '' : String(file);
        if (f.endsWith('.xml') && !isTempName(f) && !acknowledged.includes(f.slice(0, -4))) {
          watcher.close();
          process.kill(daemon.pid, 'SIGKILL');
        }
      });
      await Promise.all(names.slice(KILL_AFTER).map(async (name) => {
        let r;
        try {
          r = await api(layout, 'POST', '/v1/domains', { xml: realisticXml(name) });
        } catch {
          return; // the daemon died with this request in flight
        }
        assert.equal(r.status, 201, JSON.stringify(r.body));
        acknowledged.push(name);
      }));
      watcher.close();
      assert.equal(await daemon.stop(), null); // gone by SIGKILL
      assert.ok(acknowledged.length < TOTAL, `acknowledged ${acknowledged.length}: the kill came after every define`);

      const files = await readdir(layout.domainsDir);
      const configs = files.filter((f) => !isTempName(f));
      for (const f of configs) {
        const def = parseDomain(await readFile(join(layout.domainsDir, f), 'utf8'));
        assert.equal(`${def.name}.xml`, f);
      }
      const onDisk = new Set(configs.map((f) => f.slice(0, -4)));
      for (const name of acknowledged) assert.ok(onDisk.has(name), `acknowledged ${name} is lost`);
      console.log(`kill -9 after ${killedAfter} acknowledged defines (${acknowledged.length} acknowledged in all, ` +
        `${TOTAL - acknowledged.length} not): ${configs.length} whole configs, ${files.length - configs.length} temp files left`);

      // A restart ignores and removes the leftovers, and serves every whole definition.
      daemon = await spawnDaemon(layout);
      const list = (await api(layout, 'GET', '/v1/domains')).body as { domains: { name: string }[] };
      assert.deepEqual(list.domains.map((d) => d.name).sort(), [...onDisk].sort());
      assert.deepEqual((await readdir(layout.domainsDir)).filter(isTempName), []);
      assert.equal(await daemon.stop('SIGTERM'), 0);
    } finally {
      await daemon.stop('SIGKILL');
    }
    await assertLeftNothing(root, layout, daemon.pid);
  });

  it('measures start-up with 500 defined domains, idle memory, and `virtkit list --all`', async () => {
    const { root, layout } = await tempRoot();
    const store = new FileConfigStore(layout.domainsDir, layout.autostartDir);
    await Promise.all(Array.from({ length: 500 }, (_, i) => {
      const def = prepareDomain(parseDomain(realisticXml(`guest-${String(i).padStart(3, '0')}`)));
      return store.save(def.name, formatDomain(def));
    }));
    const ready: number[] = [];
    let own = '';
    for (let i = 0; i < 3; i++) {
      const d = await spawnDaemon(layout);
      ready.push(d.readyMs);
      if (i < 2) {
        assert.equal(await d.stop(), 0);
        own = /ready in ([\d.]+) ms/.exec(d.stderr())?.[1] ?? own;
      }
      else {
        const idle = await rssKiB(d.pid);
        const times: number[] = [];
        let out = '';
        for (let k = 0; k < 7; k++) {
          const t0 = performance.now();
          out = (await run(process.execPath, [VIRTKIT, '--root', root, 'list', '--all'])).stdout;
          times.push(performance.now() - t0);
        }
        assert.equal(out.split('\n').length, 500 + 4);
        const afterList = await rssKiB(d.pid);
        const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
        console.log(`500 domains: daemon ready ${ready.map((x) => x.toFixed(0)).join('/')} ms from spawn ` +
          `(the 2nd start by its own clock: ${own} ms); RSS idle ${(idle / 1024).toFixed(1)} MiB, after 7 lists ${(afterList / 1024).toFixed(1)} MiB; ` +
          `virtkit list --all median ${median(times).toFixed(0)} ms (${times.map((x) => x.toFixed(0)).join(' ')})`);
        assert.equal(await d.stop(), 0);
        await assertLeftNothing(root, layout, d.pid);
      }
    }
  });
});
