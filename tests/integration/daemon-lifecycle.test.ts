import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { VirtkitClient } from '../../src/client/client.js';
import type { LifecycleEvent } from '../../src/client/types.js';
import { GUEST_READY_MARKER, guestDomainXml as guestXml } from '../helpers/guest.js';
import { until } from '../helpers/wait.js';
import { api, assertLeftNothing, cli, inProcessDaemon, isAlive, spawnDaemon, tempRoot } from './daemon-harness.js';

describe('a real guest through the CLI, the API and the QEMU driver', { timeout: 300_000 }, () => {
  it('starts, shows its console (one session, force takes over), pauses, powers off and is destroyed', async () => {
    const d = await inProcessDaemon();
    const client = new VirtkitClient({ root: d.root, env: {} });
    const pids: number[] = [];
    try {
      await writeFile(join(d.root, 'g1.xml'), await guestXml('g1'));
      const events: string[] = [];
      const stream = await client.events({ domain: 'g1' }).catch(() => undefined);
      assert.equal(stream, undefined, 'events for an unknown domain are refused');
      assert.equal((await cli(d.root, ['define', 'g1.xml'])).stdout, "Domain 'g1' defined from g1.xml\n\n");
      const es = await client.events({ domain: 'g1' });
      es.on('event', (e: LifecycleEvent) => events.push(`${e.event}/${e.detail}`));

      const started = await cli(d.root, ['start', 'g1']);
      assert.deepEqual(started, { code: 0, stdout: "Domain 'g1' started\n\n", stderr: '' });
      assert.equal((await cli(d.root, ['list'])).stdout, ' Id   Name   State\n----------------------\n 1    g1     running\n\n');
      const pid = (await d.daemon.engine.ctx.statusOf(d.daemon.engine.ctx.registry.named('g1')))?.pid ?? -1;
      pids.push(pid);
      assert.ok(isAlive(pid));

      // The console: the guest's boot output arrives; a second session is refused, then forced.
      const first = await client.console('g1');
      let text = '';
      first.onData((b) => { text += b.toString('latin1'); });
      first.write('\r');
      await until('the guest ready marker on the console', () => (text.includes(GUEST_READY_MARKER) ? true : undefined), 120_000);
      await assert.rejects(client.console('g1'), (e: { code?: string }) => e.code === 'OPERATION_IN_PROGRESS');
      const second = await client.console('g1', { force: true });
      assert.equal(await first.closed, 'another session took the console over');
      second.close();
      await second.closed;

      assert.match((await cli(d.root, ['dominfo', 'g1'])).stdout, /\nCPU time: {7}\d+\.\ds\n/);
      await cli(d.root, ['suspend', 'g1']);
      assert.equal((await cli(d.root, ['domstate', '--reason', 'g1'])).stdout, 'paused (user)\n\n');
      await cli(d.root, ['resume', 'g1']);
      assert.equal((await cli(d.root, ['domstate', '--reason', 'g1'])).stdout, 'running (unpaused)\n\n');

      // ACPI power-off: the guest decides, the daemon follows.
      assert.equal((await cli(d.root, ['shutdown', 'g1'])).stdout, "Domain 'g1' is being shutdown\n\n");
      await until('shut off', async () => ((await client.getDomain('g1')).state === 'shutoff' ? true : undefined));
      assert.equal((await cli(d.root, ['domstate', '--reason', 'g1'])).stdout, 'shut off (shutdown)\n\n');

      await cli(d.root, ['start', 'g1']);
      pids.push((await d.daemon.engine.ctx.statusOf(d.daemon.engine.ctx.registry.named('g1')))?.pid ?? -1);
      assert.equal((await cli(d.root, ['destroy', 'g1'])).stdout, "Domain 'g1' destroyed\n\n");
      assert.equal((await cli(d.root, ['domstate', '--reason', 'g1'])).stdout, 'shut off (destroyed)\n\n');
      await until('the last event', () => (events.includes('stopped/destroyed') ? true : undefined), 5000);
      assert.deepEqual(events, [
        'started/booted', 'suspended/paused', 'resumed/unpaused', 'shutdown/guest', 'stopped/shutdown',
        'started/booted', 'stopped/destroyed',
      ]);
      es.close();
    } finally {
      client.close();
      await d.daemon.engine.dispatch({ kind: 'destroy', name: 'g1' }).catch(() => undefined);
      await d.close();
      for (const pid of pids) assert.equal(isAlive(pid), false, `QEMU ${pid} is still running`);
    }
  });

  it('SIGTERM stops the daemon but not the guest; the next daemon reattaches and can destroy it', async () => {
    const { root, layout } = await tempRoot();
    let daemon = await spawnDaemon(layout);
    let pid = -1;
    try {
      await api(layout, 'POST', '/v1/domains', { xml: await guestXml('g1') });
      const started = await api(layout, 'POST', '/v1/domains/g1/actions/start');
      assert.equal(started.status, 200, JSON.stringify(started.body));
      pid = (JSON.parse(await readFile(join(layout.statusDir, 'g1.json'), 'utf8')) as { pid: number }).pid;
      assert.equal(await daemon.stop('SIGTERM'), 0);
      assert.ok(isAlive(pid), 'the guest stopped with the daemon');

      daemon = await spawnDaemon(layout);
      const d = (await api(layout, 'GET', '/v1/domains/g1')).body as { state: string; id: number };
      assert.deepEqual([d.state, d.id], ['running', 1]);
      const destroyed = (await api(layout, 'POST', '/v1/domains/g1/actions/destroy')).body as { state: string; reason: string };
      assert.deepEqual([destroyed.state, destroyed.reason], ['shutoff', 'destroyed']);
      assert.equal(isAlive(pid), false);
      assert.equal(await daemon.stop('SIGTERM'), 0);
    } finally {
      await daemon.stop('SIGKILL');
      if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    await assertLeftNothing(root, layout, daemon.pid);
  });
});
