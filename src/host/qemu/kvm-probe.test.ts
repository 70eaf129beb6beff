// The KVM probe's device checks against a fake tree, and its verdicts; the
// real probe (which boots a guest) is tests/integration/qemu-probe/kvm-probe.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getKvmStatus, judgeGuestRun, kvmUnavailableError, probeKvm } from './kvm-probe.js';

async function fakeRoot(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'virtkit-fake-root-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, 'proc/sys/kernel'), { recursive: true });
  await writeFile(join(root, 'proc/sys/kernel/osrelease'), '6.1.0-test\n');
  await mkdir(join(root, 'sys/module/kvm_amd'), { recursive: true });
  await mkdir(join(root, 'sys/module/kvm'), { recursive: true });
  return root;
}

test('no /dev/kvm: unusable, says so, and runs no QEMU', async (t) => {
  const root = await fakeRoot(t);
  const s = await probeKvm({ root, binary: '/nonexistent/qemu' });
  assert.equal(s.usable, false);
  assert.equal(s.check, 'device');
  assert.match(s.reason ?? '', /dev\/kvm does not exist/);
  assert.equal(s.kernelRelease, '6.1.0-test');
  assert.deepEqual(s.modules, ['kvm_amd']);
  assert.equal(s.probeMs, 0);
  // The cached variant neither runs QEMU nor caches a device verdict.
  const cacheDir = join(root, 'cache');
  assert.equal((await getKvmStatus({ root, binary: '/nonexistent/qemu', cacheDir })).check, 'device');
  assert.deepEqual(await readdir(cacheDir).catch(() => []), []);
});

test('a /dev/kvm that cannot be opened read-write: unusable, access', async (t) => {
  const root = await fakeRoot(t);
  await mkdir(join(root, 'dev/kvm'), { recursive: true }); // a directory: open(O_RDWR) fails with EISDIR
  const s = await probeKvm({ root, binary: '/nonexistent/qemu' });
  assert.equal(s.usable, false);
  assert.equal(s.check, 'access');
  assert.match(s.reason ?? '', /dev\/kvm cannot be opened/);
});

test('judgeGuestRun: only a run through every stage to the exit port counts', () => {
  const run = { code: 85, signal: null, stages: 'RPL', timedOut: false, stderr: '', ms: 40 };
  assert.deepEqual(judgeGuestRun(run, 3000, ['kvm_intel']), { usable: true });
  const hung = judgeGuestRun({ ...run, code: null, signal: 'SIGTERM', stages: 'R', timedOut: true }, 3000, ['kvm_pvm']);
  assert.equal(hung.usable, false);
  assert.equal(hung.reason, 'a KVM test guest ran real-mode code but never reached 32-bit protected mode within 3000 ms and was killed (kvm module: kvm_pvm)');
  assert.match(judgeGuestRun({ ...run, code: null, stages: '', timedOut: true }, 2000, []).reason ?? '', /executed no instruction within 2000 ms/);
  const failed = judgeGuestRun({ ...run, code: 1, stages: '', stderr: 'qemu-system-x86_64: failed to initialize kvm: Permission denied' }, 3000, []);
  assert.match(failed.reason ?? '', /exited with status 1 .*failed to initialize kvm: Permission denied/);
  assert.equal(judgeGuestRun({ ...run, stages: 'RP' }, 3000, []).usable, false, 'right exit, missing stage');
});

test('kvmUnavailableError: KVM_UNAVAILABLE, names the reason and the way out', () => {
  const e = kvmUnavailableError('/dev/kvm does not exist');
  assert.equal(e.code, 'KVM_UNAVAILABLE');
  assert.equal(e.message.startsWith("domain type 'kvm' needs a working KVM, but on this host /dev/kvm does not exist. Use <domain type='qemu'> (TCG) instead"), true, e.message);
  assert.deepEqual(e.details, { reason: '/dev/kvm does not exist' });
});
