// Real TCG guests driven through the daemon engine with the QEMU driver:
// start -> marker on the serial console, destroy, suspend/resume, ACPI
// shutdown, reboot. Each test ends by checking that no QEMU process, socket
// or runtime dir is left.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsoleReader, assertNoLeftovers, createHarness } from './lifecycle-harness.js';
import type { Harness } from './lifecycle-harness.js';
import { GUEST_READY_MARKER, guestDomainXml } from '../helpers/guest.js';
import { until } from '../helpers/wait.js';
import { QemuDomain } from '../../src/daemon/qemu-driver/running.js';

async function started(h: Harness, name: string, extra?: string): Promise<{ reader: ConsoleReader; startMs: number }> {
  await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml(name, extra === undefined ? {} : { extra }) });
  const t0 = performance.now();
  await h.engine.dispatch({ kind: 'start', name });
  const startMs = performance.now() - t0;
  await h.remember(name);
  const session = await h.engine.dispatch({ kind: 'console', name });
  return { reader: new ConsoleReader(session.stream), startMs };
}

const state = async (h: Harness, name: string): Promise<string> => {
  const d = await h.engine.dispatch({ kind: 'get', name });
  return `${d.state}/${d.reason}`;
};

test('start: the marker reaches the console; running/booted; destroy: shutoff/destroyed', { timeout: 120_000 }, async (t) => {
  const h = await createHarness();
  try {
    const t0 = performance.now();
    const { reader, startMs } = await started(h, 'g1');
    await reader.waitFor(GUEST_READY_MARKER);
    t.diagnostic(`start returned after ${startMs.toFixed(1)} ms; marker after ${(performance.now() - t0).toFixed(0)} ms`);
    assert.equal(await state(h, 'g1'), 'running/booted');
    const stats = await h.engine.dispatch({ kind: 'stats', name: 'g1' });
    assert.ok(stats.cpuTimeNs > 0, 'QEMU used CPU time');
    assert.equal(stats.vcpus, 1);
    const handle = h.engine.ctx.registry.named('g1').runtime?.handle;
    assert.ok(handle instanceof QemuDomain);
    const detailed = await handle.detailedStats();
    assert.equal(detailed.vcpus.length, 1);
    assert.ok((detailed.vcpus[0]?.threadId ?? 0) > 0 && (detailed.vcpus[0]?.cpuTimeNs ?? 0) > 0, JSON.stringify(detailed.vcpus));
    assert.deepEqual(detailed.balloon, { currentKiB: 262144, maximumKiB: 262144 });

    const d0 = performance.now();
    await h.engine.dispatch({ kind: 'destroy', name: 'g1' });
    t.diagnostic(`destroy took ${(performance.now() - d0).toFixed(1)} ms`);
    assert.equal(await state(h, 'g1'), 'shutoff/destroyed');
    assert.deepEqual(h.events.map((e) => `${e.event}/${e.detail}`), ['defined/added', 'started/booted', 'stopped/destroyed']);
    await assertNoLeftovers(h);
  } finally {
    await h.close();
  }
});

test('suspend and resume: paused/user, running/unpaused; the guest keeps running afterwards', { timeout: 120_000 }, async () => {
  const h = await createHarness();
  try {
    const { reader } = await started(h, 'g2');
    await reader.waitFor(GUEST_READY_MARKER);
    await h.engine.dispatch({ kind: 'suspend', name: 'g2' });
    assert.equal(await state(h, 'g2'), 'paused/user');
    const cpu1 = (await h.engine.dispatch({ kind: 'stats', name: 'g2' })).cpuTimeNs;
    await h.engine.dispatch({ kind: 'resume', name: 'g2' });
    assert.equal(await state(h, 'g2'), 'running/unpaused');
    assert.ok((await h.engine.dispatch({ kind: 'stats', name: 'g2' })).cpuTimeNs >= cpu1);
    // Still alive: the ACPI button is heard after the pause.
    await h.engine.dispatch({ kind: 'shutdown', name: 'g2' });
    await until('shutoff/shutdown after resume', async () => (await state(h, 'g2')) === 'shutoff/shutdown');
    await assertNoLeftovers(h);
  } finally {
    await h.close();
  }
});

test('shutdown: the guest powers off on the ACPI button -> shutoff/shutdown, with the events', { timeout: 120_000 }, async (t) => {
  const h = await createHarness();
  try {
    const { reader } = await started(h, 'g3');
    await reader.waitFor(GUEST_READY_MARKER);
    const t0 = performance.now();
    await h.engine.dispatch({ kind: 'shutdown', name: 'g3' });
    await until('shutoff/shutdown', async () => (await state(h, 'g3')) === 'shutoff/shutdown');
    t.diagnostic(`shutdown took ${(performance.now() - t0).toFixed(0)} ms`);
    assert.match(reader.text, /power button pressed, powering off/);
    const seen = h.events.map((e) => `${e.event}/${e.detail}`);
    assert.deepEqual(seen.slice(-2), ['shutdown/guest', 'stopped/shutdown']);
    await assertNoLeftovers(h);
  } finally {
    await h.close();
  }
});

test('shutdown --mode agent without a guest agent channel is refused clearly', { timeout: 120_000 }, async () => {
  const h = await createHarness();
  try {
    await started(h, 'g4');
    await assert.rejects(h.engine.dispatch({ kind: 'shutdown', name: 'g4', mode: 'agent' }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'AGENT_UNAVAILABLE');
      assert.match(e.message, /no guest agent channel/);
      return true;
    });
    await h.engine.dispatch({ kind: 'destroy', name: 'g4' });
    await assertNoLeftovers(h);
  } finally {
    await h.close();
  }
});

test('reboot: the guest powers off and boots again (marker twice), still running/booted', { timeout: 120_000 }, async () => {
  const h = await createHarness();
  try {
    const { reader } = await started(h, 'g5');
    await reader.waitFor(GUEST_READY_MARKER);
    await h.engine.dispatch({ kind: 'reboot', name: 'g5' });
    await reader.waitFor(GUEST_READY_MARKER, 2);
    assert.match(reader.text, /power button pressed/);
    assert.equal(await state(h, 'g5'), 'running/booted');
    assert.ok(!h.events.some((e) => e.event === 'stopped'), 'a reboot does not stop the domain');
    await h.engine.dispatch({ kind: 'destroy', name: 'g5' });
    await assertNoLeftovers(h);
  } finally {
    await h.close();
  }
});
