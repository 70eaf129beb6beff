import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROBE_ALL_STAGES, PROBE_EXIT_STATUS } from '../../../src/core/qemu/kvm-probe-rom.js';
import { getKvmStatus, kvmUnavailableError, probeKvm } from '../../../src/host/qemu/kvm-probe.js';
import { runProbeGuest } from '../../../src/host/qemu/probe-guest.js';
import { expectedKvm } from '../../helpers/kvm-expect.js';
import { QEMU_BINARY, processesMentioning } from '../../helpers/qemu-spawn.js';

// What to expect is decided apart from the probe (tests/helpers/kvm-expect.ts); on this host
// KVM comes from kvm_pvm, under which guests hang after real mode.
const expected = await expectedKvm();
const PROBE_LIMIT_MS = 3000;

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'virtkit-kvm-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('the probe firmware reaches 64-bit mode and exits QEMU under TCG', { timeout: 30_000 }, async (t) => {
  const dir = await tempDir(t);
  const run = await runProbeGuest(QEMU_BINARY, 'tcg', { timeoutMs: 20_000, tmpDir: dir });
  assert.equal(run.stages, PROBE_ALL_STAGES, run.stderr);
  assert.equal(run.code, PROBE_EXIT_STATUS);
  assert.equal(run.timedOut, false);
  t.diagnostic(`TCG run took ${run.ms} ms`);
  assert.deepEqual(await readdir(dir), []);
});

test(`KVM on this host: ${expected.usable ? 'usable' : 'unusable'} (${expected.why}); the probe's QEMU is gone afterwards`, { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t);
  const s = await probeKvm({ binary: QEMU_BINARY, tmpDir: dir, timeoutMs: PROBE_LIMIT_MS });
  t.diagnostic(`probe: ${JSON.stringify(s)}`);
  assert.equal(s.usable, expected.usable, s.reason);
  if (s.usable) {
    assert.equal(s.reason, undefined);
    assert.equal(s.check, undefined);
  } else {
    assert.ok(s.reason !== undefined && s.reason.length > 0);
    if (expected.reason !== undefined) assert.match(s.reason, expected.reason);
    // A guest that hangs is killed at the probe's limit, and the reason says so.
    if (s.check === 'guest' && /was killed/.test(s.reason)) assert.match(s.reason, new RegExp(`within ${PROBE_LIMIT_MS} ms`));
    const e = kvmUnavailableError(s.reason);
    assert.equal(e.code, 'KVM_UNAVAILABLE');
    assert.deepEqual(e.details, { reason: s.reason });
  }
  assert.deepEqual(await readdir(dir), [], 'temp dir removed');
  assert.deepEqual(processesMentioning(dir), [], 'no probe QEMU left running');
});

test('getKvmStatus pays for the guest run once', { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t);
  const cacheDir = join(dir, 'cache');
  const first = await getKvmStatus({ binary: QEMU_BINARY, cacheDir, tmpDir: dir });
  t.diagnostic(`first ${first.source} ${first.probeMs} ms`);
  assert.equal(first.source, 'probe');
  assert.equal(first.usable, expected.usable);
  if (first.check === 'device' || first.check === 'access') {
    // Cheap checks, redone every time: nothing is cached.
    assert.deepEqual(await readdir(cacheDir).catch(() => []), []);
    return;
  }
  // A second guest run would need its temp dir under tmpDir: one that does not exist makes it fail.
  const again = await getKvmStatus({ binary: QEMU_BINARY, cacheDir, tmpDir: join(dir, 'missing') });
  assert.equal(again.source, 'cache');
  assert.equal(again.usable, first.usable);
  assert.equal(again.reason, first.reason);
  assert.equal(again.probeMs, first.probeMs);
  assert.equal(typeof again.probedAt, 'string');
});
