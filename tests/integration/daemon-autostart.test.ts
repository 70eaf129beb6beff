/**
 * Autostart: domains marked autostart start when the daemon starts for the first time since
 * the host booted. Every wait is a handshake: the daemon's `autostart` promise, or the fake
 * driver saying that a start has begun; no sleeps, no polling.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { startDaemon } from '../../src/daemon/daemon.js';
import type { DomainDef } from '../../src/daemon/domain-xml.js';
import type { RunningDomain, StartOptions } from '../../src/daemon/driver.js';
import { FakeHypervisor } from '../../src/daemon/engine/fake-driver.js';
import type { DomainRuntimePaths } from '../../src/daemon/paths.js';
import { guestDomainXml } from '../helpers/guest.js';
import { assertLeftNothing, domainXml, isAlive, quietLog, tempRoot } from './daemon-harness.js';

describe('autostart', { timeout: 120_000 }, () => {
  it('starts autostart domains once per host boot, not at every daemon restart', async () => {
    const { root, layout } = await tempRoot();
    const pids: number[] = [];
    let daemon = await startDaemon({ layout, log: quietLog(), autostart: true });
    try {
      assert.equal(await daemon.autostart, 0, 'nothing to autostart yet');
      const e = daemon.engine;
      await e.dispatch({ kind: 'define', xml: await guestDomainXml('auto1', { memoryMiB: 128 }) });
      await e.dispatch({ kind: 'define', xml: await guestDomainXml('manual1', { memoryMiB: 128 }) });
      await e.dispatch({ kind: 'setAutostart', name: 'auto1', enabled: true });
      await daemon.close();

      // A daemon restart in the same boot (the run dir's marker exists) starts nothing.
      daemon = await startDaemon({ layout, log: quietLog(), autostart: true });
      assert.equal(await daemon.autostart, 'skipped');
      assert.equal((await daemon.engine.dispatch({ kind: 'get', name: 'auto1' })).state, 'shutoff');
      await daemon.close();

      // A host reboot empties the run dir: the next daemon autostarts auto1 only.
      await rm(layout.autostartedMarker, { force: true });
      daemon = await startDaemon({ layout, log: quietLog(), autostart: true });
      const d = daemon;
      assert.equal(await d.autostart, 1);
      assert.equal((await d.engine.dispatch({ kind: 'get', name: 'auto1' })).state, 'running');
      assert.equal((await d.engine.dispatch({ kind: 'get', name: 'manual1' })).state, 'shutoff');
      const status = await d.engine.ctx.statusOf(d.engine.ctx.registry.named('auto1'));
      if (status) pids.push(status.pid);
      assert.equal(pids.length, 1, 'auto1 has a status with its pid');
      await d.engine.dispatch({ kind: 'destroy', name: 'auto1' });
      await daemon.close();
    } finally {
      await daemon.close().catch(() => undefined);
      for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    for (const pid of pids) assert.equal(isAlive(pid), false);
    await assertLeftNothing(root, layout);
  });

  it('writes the per-boot marker only after the pass, and close() waits for a start in flight', async () => {
    // A driver whose start() says it has begun and then waits to be released.
    class HeldDriver extends FakeHypervisor {
      readonly begun: string[] = [];
      #entered: () => void = () => undefined;
      readonly entered = new Promise<void>((r) => { this.#entered = r; });
      release: () => void = () => undefined;
      override gate = new Promise<void>((r) => { this.release = r; });
      override start(def: DomainDef, paths: DomainRuntimePaths, opts: StartOptions): Promise<RunningDomain> {
        this.begun.push(def.name);
        if (this.begun.length === 2) this.#entered();
        return super.start(def, paths, opts);
      }
    }
    const { root, layout } = await tempRoot();
    const driver = new HeldDriver();
    const log: string[] = [];
    let daemon = await startDaemon({ layout, log: quietLog(log), autostart: false, loadDriver: () => Promise.resolve(driver) });
    for (const name of ['a1', 'a2']) {
      await daemon.engine.dispatch({ kind: 'define', xml: domainXml(name) });
      await daemon.engine.dispatch({ kind: 'setAutostart', name, enabled: true });
    }
    await daemon.close();

    daemon = await startDaemon({ layout, log: quietLog(log), autostart: true, loadDriver: () => Promise.resolve(driver) });
    await driver.entered;
    // Both starts are in flight: a daemon that died now must leave no marker, so that the next one starts them.
    assert.equal(existsSync(layout.autostartedMarker), false, 'marker written before the domains started');
    // close() stops the API first, then must wait for the pass before the engine lets go of guests.
    const d = daemon;
    let serverClosed: () => void = () => undefined;
    const serverDown = new Promise<void>((r) => { serverClosed = r; });
    const closeServer = d.server.close.bind(d.server);
    d.server.close = async () => { await closeServer(); serverClosed(); };
    let engineCloses = 0;
    const closeEngine = d.engine.close.bind(d.engine);
    d.engine.close = () => { engineCloses++; return closeEngine(); };
    const closing = d.close();
    await serverDown;
    await new Promise((r) => setImmediate(r)); // let close() run as far as it can without the starts
    assert.equal(engineCloses, 0, 'the engine was closed while autostart was still starting domains');
    driver.release();
    await closing;
    assert.equal(engineCloses, 1);
    assert.equal(await daemon.autostart, 2);
    assert.equal(existsSync(layout.autostartedMarker), true);
    assert.deepEqual(driver.begun.sort(), ['a1', 'a2']);
    // close() waited for the starts: the engine let go of both guests afterwards (not before they ran).
    assert.deepEqual([...driver.running.entries()].map(([n, r]) => `${n}:${r.calls.join(',')}`).sort(), ['a1:detach', 'a2:detach']);
    assert.deepEqual(log.filter((l) => l.startsWith('error')), []);
    await assertLeftNothing(root, layout);
  });
});
