import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROBE_ALL_STAGES, PROBE_EXIT_STATUS } from '../../../src/core/qemu/kvm-probe-rom.js';
import { getKvmStatus, kvmUnavailableError, probeKvm } from '../../../src/host/qemu/kvm-probe.js';
import { runProbeGuest } from '../../../src/host/qemu/probe-guest.js';
import { QEMU_BINARY, processesMentioning } from '../../helpers/qemu-spawn.js';

// On this host KVM comes from kvm_pvm, under which guests hang after real mode.
const expected = process.env['VIRTKIT_EXPECT_KVM']
  ?? (existsSync('/sys/module/kvm_pvm') || !existsSync('/dev/kvm') ? 'unusable' : undefined);

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

test(`KVM on this host: ${expected ?? 'whatever it is'}; the probe's QEMU is gone afterwards`, { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t);
  const s = await probeKvm({ binary: QEMU_BINARY, tmpDir: dir });
  t.diagnostic(`probe: ${JSON.stringify(s)}`);
  if (expected !== undefined) assert.equal(s.usable ? 'usable' : 'unusable', expected, s.reason);
  if (!s.usable) {
    assert.ok(s.reason !== undefined && s.reason.length > 0);
    assert.equal(kvmUnavailableError(s.reason).code, 'KVM_UNAVAILABLE');
    if (s.check === 'guest') assert.ok(s.probeMs >= 3000 && s.probeMs < 8000, `killed at the time limit, took ${s.probeMs} ms`);
  }
  assert.deepEqual(await readdir(dir), [], 'temp dir removed');
  assert.deepEqual(processesMentioning(dir), [], 'no probe QEMU left running');
});

test('getKvmStatus pays for the guest run once', { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t);
  const cacheDir = join(dir, 'cache');
  const first = await getKvmStatus({ binary: QEMU_BINARY, cacheDir, tmpDir: dir });
  const t0 = performance.now();
  const again = await getKvmStatus({ binary: QEMU_BINARY, cacheDir, tmpDir: dir });
  const ms = performance.now() - t0;
  t.diagnostic(`first ${first.source} ${first.probeMs} ms, then ${again.source} in ${Math.round(ms)} ms`);
  assert.equal(first.source, 'probe');
  if (first.check === 'device' || first.check === 'access') return; // nothing to cache
  assert.equal(again.source, 'cache');
  assert.equal(again.usable, first.usable);
  assert.equal(again.reason, first.reason);
  assert.ok(ms < 1000, `a cached verdict is instant, took ${ms} ms`);
});
