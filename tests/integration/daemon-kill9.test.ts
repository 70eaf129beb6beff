/**
 * Issue 3: kill -9 of the real virtkitd with 3 guests running; a new virtkitd finds all
 * 3 still running (their QEMUs never noticed) and controls each of them.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { VirtkitClient } from '../../src/client/client.js';
import { GUEST_READY_MARKER, guestDomainXml } from '../helpers/guest.js';
import { until } from '../helpers/wait.js';
import { api, assertLeftNothing, isAlive, spawnDaemon, tempRoot } from './daemon-harness.js';

/**
 * Opens the console, runs `then` (a resume or reboot that makes the guest print its marker),
 * and reads until the marker shows. Like virsh, a console shows only what comes after it opens.
 */
async function seeMarker(client: VirtkitClient, name: string, then?: () => Promise<unknown>): Promise<void> {
  const con = await client.console(name, { force: true });
  let text = '';
  con.onData((b) => { text += b.toString('latin1'); });
  try {
    await then?.();
    await until(`${name}'s marker`, async () => (text.includes(GUEST_READY_MARKER) ? true : undefined), 120_000);
  } finally {
    con.close();
    await con.closed;
  }
}

describe('kill -9 of virtkitd with three guests running', { timeout: 300_000 }, () => {
  it('the next virtkitd re-attaches to all three and controls each', async () => {
    const { root, layout } = await tempRoot();
    const names = ['k1', 'k2', 'k3'];
    let daemon = await spawnDaemon(layout);
    const pids: number[] = [];
    let client = new VirtkitClient({ root, env: {} });
    try {
      for (const n of names) {
        assert.equal((await api(layout, 'POST', '/v1/domains', { xml: await guestDomainXml(n, { memoryMiB: 128 }) })).status, 201);
        // Started paused so that the console is open before the guest prints its marker.
        assert.equal((await api(layout, 'POST', `/v1/domains/${n}/actions/start`, { paused: true })).status, 200);
        pids.push((JSON.parse(await readFile(join(layout.statusDir, `${n}.json`), 'utf8')) as { pid: number }).pid);
        await seeMarker(client, n, () => api(layout, 'POST', `/v1/domains/${n}/actions/resume`));
      }
      client.close();

      assert.equal(await daemon.stop('SIGKILL'), null);
      for (const pid of pids) assert.ok(isAlive(pid), `QEMU ${pid} died with the daemon`);

      daemon = await spawnDaemon(layout);
      client = new VirtkitClient({ root, env: {} });
      const listed = (await client.listDomains()).map((d) => [d.name, d.state]);
      assert.deepEqual(listed.sort(), names.map((n) => [n, 'running']));

      // Each one answers: pause/resume, a reboot through ACPI (the marker again), ACPI power-off, destroy.
      assert.equal((await api(layout, 'POST', '/v1/domains/k1/actions/suspend')).status, 200);
      assert.deepEqual(((await client.getDomain('k1')) as { state: string; reason: string }).state, 'paused');
      assert.equal((await api(layout, 'POST', '/v1/domains/k1/actions/resume')).status, 200);
      await seeMarker(client, 'k1', async () => assert.equal((await api(layout, 'POST', '/v1/domains/k1/actions/reboot')).status, 200));
      assert.equal((await client.getDomain('k1')).state, 'running');
      assert.equal((await api(layout, 'POST', '/v1/domains/k2/actions/shutdown')).status, 200);
      await until('k2 powered off', async () => ((await client.getDomain('k2')).state === 'shutoff' ? true : undefined));
      assert.equal((await client.getDomain('k2')).reason, 'shutdown');
      for (const n of ['k1', 'k3']) {
        const r = (await api(layout, 'POST', `/v1/domains/${n}/actions/destroy`)).body as { state: string; reason: string };
        assert.deepEqual([r.state, r.reason], ['shutoff', 'destroyed']);
      }
      for (const pid of pids) assert.equal(isAlive(pid), false, `QEMU ${pid} is still running`);
      assert.equal(await daemon.stop('SIGTERM'), 0);
    } finally {
      client.close();
      await daemon.stop('SIGKILL');
      for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    await assertLeftNothing(root, layout, daemon.pid);
  });
});
