/** Autostart: domains marked autostart start when the daemon starts for the first time since the host booted. */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { startDaemon } from '../../src/daemon/daemon.js';
import { guestDomainXml } from '../helpers/guest.js';
import { until } from '../helpers/wait.js';
import { assertLeftNothing, isAlive, quietLog, tempRoot } from './daemon-harness.js';

describe('autostart', { timeout: 120_000 }, () => {
  it('starts autostart domains once per host boot, not at every daemon restart', async () => {
    const { root, layout } = await tempRoot();
    const pids: number[] = [];
    let daemon = await startDaemon({ layout, log: quietLog(), autostart: true });
    try {
      const e = daemon.engine;
      await e.dispatch({ kind: 'define', xml: await guestDomainXml('auto1', { memoryMiB: 128 }) });
      await e.dispatch({ kind: 'define', xml: await guestDomainXml('manual1', { memoryMiB: 128 }) });
      await e.dispatch({ kind: 'setAutostart', name: 'auto1', enabled: true });
      await daemon.close();

      // A daemon restart in the same boot (the run dir's marker exists) starts nothing.
      daemon = await startDaemon({ layout, log: quietLog(), autostart: true });
      await new Promise((r) => setTimeout(r, 500));
      assert.equal((await daemon.engine.dispatch({ kind: 'get', name: 'auto1' })).state, 'shutoff');
      await daemon.close();

      // A host reboot empties the run dir: the next daemon autostarts auto1 only.
      await rm(layout.autostartedMarker, { force: true });
      daemon = await startDaemon({ layout, log: quietLog(), autostart: true });
      const d = daemon;
      await until('auto1 running', async () => (await d.engine.dispatch({ kind: 'get', name: 'auto1' })).state === 'running', 30_000);
      assert.equal((await d.engine.dispatch({ kind: 'get', name: 'manual1' })).state, 'shutoff');
      const status = await d.engine.ctx.statusOf(d.engine.ctx.registry.named('auto1'));
      if (status) pids.push(status.pid);
      // The autostart job may still hold the domain (it shows running before the job ends): wait for it.
      await d.engine.dispatch({ kind: 'destroy', name: 'auto1' }, { wait: 30_000 });
      await daemon.close();
    } finally {
      await daemon.close().catch(() => undefined);
      for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    for (const pid of pids) assert.equal(isAlive(pid), false);
    await assertLeftNothing(root, layout);
  });
});
