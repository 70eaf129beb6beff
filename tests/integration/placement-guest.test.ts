// Automatic placement on this host (1 NUMA node, CPUs 0 and 1; CPU 0 is the node's shared CPU)
// with a real TCG guest: <vcpu placement='auto'> pins the vCPU thread to CPU 1 and the emulator
// to CPU 0 (Cpus_allowed_list in /proc), a second dedicated domain finds nothing free and no QEMU
// runs for it, the holding survives a daemon restart (re-attach) and is gone after destroy.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { isVirtkitError } from '../../src/core/errors.js';
import { detectCgroup } from '../../src/host/tuning/cgroup.js';
import { guestDomainXml } from '../helpers/guest.js';
import { allowedCpus, monitorOf } from '../helpers/qemu-threads.js';
import { assertNoLeftovers, createHarness } from './lifecycle-harness.js';
import type { Harness } from './lifecycle-harness.js';

const v1 = (await detectCgroup('/sys/fs/cgroup'))?.version === 1;
const online = (await readFile('/sys/devices/system/cpu/online', 'utf8')).trim();

const auto = async (name: string): Promise<string> =>
  (await guestDomainXml(name)).replace('<vcpu>1</vcpu>', "<vcpu placement='auto'>1</vcpu>");

const held = async (h: Harness): Promise<string[]> =>
  (await h.engine.dispatch({ kind: 'placement' })).holdings.map((x) => `${x.domain}:${x.cpus.join(',')}`);

describe('automatic placement on this host', { skip: !v1 || online !== '0-1' ? 'needs CPUs 0-1 online and a cgroup v1 hierarchy' : false }, () => {
  test("placement='auto' pins for real, holds across a restart and releases at destroy", { timeout: 120_000 }, async () => {
    const h = await createHarness();
    try {
      await h.engine.dispatch({ kind: 'define', xml: await auto('p1') });
      await h.engine.dispatch({ kind: 'define', xml: await auto('p2') });
      await h.engine.dispatch({ kind: 'start', name: 'p1' });
      await h.remember('p1');
      const pid = h.engine.ctx.registry.named('p1').runtime?.pid ?? -1;
      const cpus = (await monitorOf(h.engine, 'p1').execute('query-cpus-fast')) as { 'thread-id': number }[];
      assert.equal(cpus.length, 1);
      assert.equal(await allowedCpus(pid, cpus[0]?.['thread-id'] ?? -1), '1', 'the vCPU thread');
      assert.equal(await allowedCpus(pid, pid), '0', 'the main (emulator) thread');
      assert.match(await h.engine.dispatch({ kind: 'dumpxml', name: 'p1' }), /<vcpupin vcpu='0' cpuset='1'\/>/);
      assert.match(await h.engine.dispatch({ kind: 'dumpxml', name: 'p1', inactive: true }), /<vcpu placement='auto'>1<\/vcpu>/);
      assert.deepEqual(await held(h), ['p1:1']);

      const noFit = (e: unknown): boolean => isVirtkitError(e) && e.code === 'PLACEMENT_NO_FIT';
      await assert.rejects(h.engine.dispatch({ kind: 'start', name: 'p2' }), noFit);
      assert.equal(h.engine.ctx.registry.named('p2').runtime, undefined);

      await h.restart();
      assert.deepEqual(await held(h), ['p1:1'], 'after the restart');
      await assert.rejects(h.engine.dispatch({ kind: 'start', name: 'p2' }), noFit);

      await h.engine.dispatch({ kind: 'destroy', name: 'p1' });
      assert.deepEqual(await held(h), []);
      await h.engine.dispatch({ kind: 'start', name: 'p2' });
      await h.remember('p2');
      assert.deepEqual(await held(h), ['p2:1']);
      await h.engine.dispatch({ kind: 'destroy', name: 'p2' });
      assert.deepEqual(await held(h), []);
      await assertNoLeftovers(h);
    } finally {
      await h.close();
    }
  });
});
