// Crashes and failures on real TCG guests through the engine: QEMU killed
// with SIGKILL, a guest kernel panic (pvpanic) with on_crash=destroy and
// on_crash=restart, a QEMU that refuses its command line, and type='kvm'
// where KVM cannot run guests.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsoleReader, assertNoLeftovers, createHarness } from './lifecycle-harness.js';
import type { Harness } from './lifecycle-harness.js';
import { until } from '../helpers/wait.js';
import { GUEST_APPEND, GUEST_READY_MARKER, guestDomainXml } from '../helpers/guest.js';
import { expectedKvm } from '../helpers/kvm-expect.js';

const state = async (h: Harness, name: string): Promise<string> => {
  const d = await h.engine.dispatch({ kind: 'get', name });
  return `${d.state}/${d.reason}`;
};

const PANIC = { append: `${GUEST_APPEND} virtkit.panic=1`, extra: '' };

test('kill -9 of QEMU: shutoff/crashed with a stopped/crashed event', { timeout: 120_000 }, async () => {
  const h = await createHarness();
  try {
    await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml('k1') });
    await h.engine.dispatch({ kind: 'start', name: 'k1' });
    await h.remember('k1');
    const pid = h.seen[0]?.pid;
    assert.ok(pid !== undefined);
    process.kill(pid, 'SIGKILL');
    await until('shutoff/crashed', async () => (await state(h, 'k1')) === 'shutoff/crashed');
    assert.deepEqual(h.events.at(-1)?.event, 'stopped');
    assert.deepEqual(h.events.at(-1)?.detail, 'crashed');
    await assertNoLeftovers(h);
  } finally {
    await h.close();
  }
});

test('guest panic with on_crash=destroy (default): crashed event, then shutoff/crashed', { timeout: 120_000 }, async () => {
  const h = await createHarness();
  try {
    const xml = (await guestDomainXml('p1', { append: PANIC.append })).replace('</devices>', "  <panic model='isa'/>\n  </devices>");
    await h.engine.dispatch({ kind: 'define', xml });
    await h.engine.dispatch({ kind: 'start', name: 'p1' });
    await h.remember('p1');
    await until('shutoff/crashed after the panic', async () => (await state(h, 'p1')) === 'shutoff/crashed', 60_000);
    const seen = h.events.map((e) => `${e.event}/${e.detail}`);
    assert.deepEqual(seen.slice(-2), ['crashed/panicked', 'stopped/crashed']);
    await assertNoLeftovers(h);
  } finally {
    await h.close();
  }
});

test('guest panic with on_crash=restart: the guest boots again in the same QEMU', { timeout: 120_000 }, async () => {
  const h = await createHarness();
  try {
    const xml = (await guestDomainXml('p2', { append: PANIC.append, extra: '<on_crash>restart</on_crash>' }))
      .replace('</devices>', "  <panic model='isa'/>\n  </devices>");
    await h.engine.dispatch({ kind: 'define', xml });
    await h.engine.dispatch({ kind: 'start', name: 'p2' });
    await h.remember('p2');
    const reader = new ConsoleReader((await h.engine.dispatch({ kind: 'console', name: 'p2' })).stream);
    // The guest panics right after each marker: a second marker proves the restart.
    await reader.waitFor(GUEST_READY_MARKER, 2);
    await until('the crashed event', () => h.events.some((e) => e.event === 'crashed'));
    const p2 = await h.engine.dispatch({ kind: 'get', name: 'p2' });
    // libvirt's reason after an on_crash restart: running/crashed (the event is resumed/unpaused).
    assert.deepEqual([p2.state, p2.reason], ['running', 'crashed']);
    assert.ok(h.events.some((e) => e.event === 'resumed' && e.detail === 'unpaused'), 'the resumed event');
    assert.ok(!h.events.some((e) => e.event === 'stopped'), 'the domain never stopped');
    await h.engine.dispatch({ kind: 'destroy', name: 'p2' });
    await assertNoLeftovers(h);
  } finally {
    await h.close();
  }
});

test("QEMU refusing its command line: QEMU_FAILED quoting QEMU's own error, shutoff/failed", { timeout: 60_000 }, async () => {
  const h = await createHarness();
  try {
    const xml = (await guestDomainXml('f1')).replace('<cmdline>', '<cmdline>x').replace(/<initrd>[^<]*<\/initrd>/, '<initrd>/nonexistent/initrd.img</initrd>');
    await h.engine.dispatch({ kind: 'define', xml });
    await assert.rejects(h.engine.dispatch({ kind: 'start', name: 'f1' }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'QEMU_FAILED');
      assert.match(e.message, /\/nonexistent\/initrd\.img/);
      return true;
    });
    assert.equal(await state(h, 'f1'), 'shutoff/failed');
    await assertNoLeftovers(h);
  } finally {
    await h.close();
  }
});

test("type='kvm' where KVM cannot run guests: KVM_UNAVAILABLE saying to use type='qemu'", { timeout: 60_000 }, async () => {
  const h = await createHarness({ kvm: () => Promise.resolve({ usable: false, reason: 'a test guest did not boot within 2 s' }) });
  try {
    await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml('kvm1', { type: 'kvm' }) });
    await assert.rejects(h.engine.dispatch({ kind: 'start', name: 'kvm1' }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'KVM_UNAVAILABLE');
      assert.match(e.message, /type='qemu'/);
      assert.match(e.message, /did not boot within 2 s/);
      return true;
    });
    await assertNoLeftovers(h);
  } finally {
    await h.close();
  }
});

test("type='kvm' on this host, judged by the real KVM probe: started where KVM runs guests, else refused with KVM_UNAVAILABLE", { timeout: 60_000 }, async (t) => {
  // Which of the two to expect is decided apart from the driver's probe (tests/helpers/kvm-expect.ts).
  const expected = await expectedKvm();
  t.diagnostic(`expected: KVM ${expected.usable ? 'usable' : 'unusable'} (${expected.why})`);
  const h = await createHarness();
  try {
    await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml('kvm2', { type: 'kvm' }) });
    if (expected.usable) {
      const d = await h.engine.dispatch({ kind: 'start', name: 'kvm2' });
      await h.remember('kvm2');
      assert.deepEqual([d.state, d.reason], ['running', 'booted']);
      const reader = new ConsoleReader((await h.engine.dispatch({ kind: 'console', name: 'kvm2' })).stream);
      await reader.waitFor(GUEST_READY_MARKER);
      await h.engine.dispatch({ kind: 'destroy', name: 'kvm2' });
    } else {
      await assert.rejects(h.engine.dispatch({ kind: 'start', name: 'kvm2' }), (e: Error & { code?: string; details?: { reason?: string } }) => {
        assert.equal(e.code, 'KVM_UNAVAILABLE', String(e));
        assert.match(e.message, /type='qemu'/);
        if (expected.reason !== undefined) assert.match(e.details?.reason ?? '', expected.reason);
        return true;
      });
      assert.equal(await state(h, 'kvm2'), 'shutoff/failed');
    }
    await assertNoLeftovers(h);
  } finally {
    await h.close();
  }
});
