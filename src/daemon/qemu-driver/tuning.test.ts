// The driver's tuning step against a fake monitor, a fake /proc and fake cgroup trees: which
// threads get which command, the cgroup made, a domain without tuning asks QEMU nothing, and the
// errors name the element.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { VirtkitError, isVirtkitError } from '../../core/errors.js';
import { parseDomainXml } from '../../core/xml/domain/index.js';
import { fakeCgroup } from '../../../tests/helpers/fake-cgroup.js';
import type { Monitor } from './monitor.js';
import { applyTuning, readSched, removeTuning } from './tuning.js';

const dom = (top: string) => parseDomainXml(`<domain type='qemu'><name>g</name><memory unit='MiB'>256</memory>
  <vcpu>2</vcpu><iothreads>1</iothreads>${top}<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>`);

function fakeMonitor(asked: string[]): Monitor {
  const answers: Record<string, unknown> = {
    'query-cpus-fast': [{ 'cpu-index': 0, 'thread-id': 501 }, { 'cpu-index': 1, 'thread-id': 502 }],
    'query-iothreads': [{ id: 'iothread1', 'thread-id': 503 }],
  };
  return { execute: (cmd: string) => { asked.push(cmd); return Promise.resolve(answers[cmd]); } } as unknown as Monitor;
}

async function fakeProc(): Promise<string> {
  const proc = await mkdtemp(join(tmpdir(), 'vk-tproc-'));
  for (const tid of [500, 501, 502, 503, 504]) await mkdir(join(proc, '500', 'task', String(tid)), { recursive: true });
  return proc;
}

test('pins, policies and the v2 cgroup of a domain; schedinfo reads the cgroup back; the cgroup is removed', async () => {
  const proc = await fakeProc();
  const cg = await fakeCgroup(2);
  try {
    const calls: string[] = [];
    const run = (bin: string, args: readonly string[]) => { calls.push([bin, ...args].join(' ')); return Promise.resolve(''); };
    const asked: string[] = [];
    await applyTuning(fakeMonitor(asked), dom(`<cputune><shares>300</shares><vcpupin vcpu='1' cpuset='0'/><emulatorpin cpuset='1'/>
      <iothreadpin iothread='1' cpuset='0-1'/><vcpusched vcpus='0' scheduler='fifo' priority='7'/></cputune>`), 500, { procRoot: proc, cgroupRoot: cg.root, run });
    assert.deepEqual(asked, ['query-cpus-fast', 'query-iothreads']);
    assert.deepEqual(calls, ['taskset -p -c 1 500', 'taskset -p -c 1 504', 'taskset -p -c 0 502', 'taskset -p -c 0-1 503', 'chrt -f -p 7 501']);
    assert.equal(await cg.read('virtkit/qemu-500/cpu.weight'), '300');
    const s = await readSched(500, { cgroupRoot: cg.root });
    assert.deepEqual([s.cpu_shares, s.vcpu_period, s.vcpu_quota, s.global_quota], [300, 100000, -1, -1]);
    assert.deepEqual(await removeTuning(500, { cgroupRoot: cg.root }), []);
    assert.deepEqual((await readSched(500, { cgroupRoot: cg.root })).cpu_shares, 100, 'v2 default weight once the group is gone');
  } finally {
    await rm(proc, { recursive: true });
    await cg.remove();
  }
});

test('a domain without tuning asks QEMU nothing; a failing tool names the element; no cgroup root is HOST_UNSUPPORTED', async () => {
  const asked: string[] = [];
  await applyTuning(fakeMonitor(asked), dom(''), 500, { procRoot: '/nonexistent' });
  assert.deepEqual(asked, []);
  const proc = await fakeProc();
  const empty = await mkdtemp(join(tmpdir(), 'vk-tcg-'));
  try {
    const failing = () => Promise.reject(new VirtkitError('HOST_TUNING_FAILED', 'chrt -f -p 0 501 failed: chrt: failed to set pid 501\'s policy: Invalid argument', { details: { stderr: 'Invalid argument' } }));
    await assert.rejects(applyTuning(fakeMonitor([]), dom("<cputune><vcpusched vcpus='0' scheduler='fifo' priority='0'/></cputune>"), 500, { procRoot: proc, run: failing }),
      (e) => isVirtkitError(e) && e.code === 'HOST_TUNING_FAILED' && e.message.startsWith('/domain/cputune/vcpusched[1]: chrt -f -p 0 501 failed'));
    await writeFile(join(empty, 'README'), 'no cgroup here');
    await assert.rejects(applyTuning(fakeMonitor([]), dom('<cputune><shares>10</shares></cputune>'), 500, { procRoot: proc, cgroupRoot: empty, run: () => Promise.resolve('') }),
      (e) => isVirtkitError(e) && e.code === 'HOST_UNSUPPORTED' && /need a cgroup hierarchy with the cpu controller/.test(e.message));
  } finally {
    await rm(proc, { recursive: true });
    await rm(empty, { recursive: true });
  }
});
