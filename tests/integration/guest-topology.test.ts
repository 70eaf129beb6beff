// What a real TCG guest sees of the CPU topology and NUMA cells its domain XML gave it, read from
// the guest's own /proc and /sys over its console shell (issue 10: "the guest sees the vCPU count,
// topology and NUMA cells it was given"). The host side of the same settings is tuning-guest.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GuestShell } from '../helpers/guest-shell.js';
import { GUEST_APPEND, GUEST_READY_MARKER, GUEST_SHELL, guestDomainXml } from '../helpers/guest.js';
import { assertNoLeftovers, createHarness } from './lifecycle-harness.js';
import type { Harness } from './lifecycle-harness.js';

/** Defines and starts `xml` (named `name`) and returns a shell on its console, once the guest is up. */
async function bootWithShell(h: Harness, name: string, xml: string): Promise<GuestShell> {
  await h.engine.dispatch({ kind: 'define', xml });
  await h.engine.dispatch({ kind: 'start', name, paused: true });
  await h.remember(name);
  // Attached while paused, so no console line goes by unread.
  const shell = new GuestShell((await h.engine.dispatch({ kind: 'console', name })).stream);
  await h.engine.dispatch({ kind: 'resume', name });
  // 4 vCPUs under TCG on 2 shared host cores: generous, as a hang guard only.
  await shell.waitFor(GUEST_READY_MARKER, 180_000);
  return shell;
}

/** The guest's `/proc/cpuinfo` as one record per processor (key -> value). */
async function cpuinfo(shell: GuestShell): Promise<Map<string, string>[]> {
  const text = await shell.check('cat /proc/cpuinfo');
  return text.split(/\n\s*\n/).filter((b) => b.trim() !== '').map((b) => new Map(b.split('\n').flatMap((l) => {
    const i = l.indexOf(':');
    return i < 0 ? [] : [[l.slice(0, i).trim(), l.slice(i + 1).trim()] as [string, string]];
  })));
}

/** The content of each file (a shell glob), by path: one `path=value` line each from the guest. */
async function files(shell: GuestShell, paths: string): Promise<Record<string, string>> {
  const out = await shell.check(`for f in ${paths}; do echo "$f=$(cat $f)"; done`);
  return Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).trim()]));
}

const xmlWith = async (name: string, vcpus: string, cpu: string, memoryMiB = 256): Promise<string> =>
  (await guestDomainXml(name, { memoryMiB, append: `${GUEST_APPEND} ${GUEST_SHELL}`, extra: `${cpu}\n` })).replace('<vcpu>1</vcpu>', vcpus);

/** /sys/devices/system/cpu/cpuN/topology/LEAF for N = 0..3, in order. */
async function topology(shell: GuestShell, leaf: string): Promise<string[]> {
  const t = await files(shell, `/sys/devices/system/cpu/cpu[0-3]/topology/${leaf}`);
  return [0, 1, 2, 3].map((c) => t[`/sys/devices/system/cpu/cpu${c}/topology/${leaf}`] ?? '?');
}

const TOPOLOGY = "<topology sockets='2' dies='1' cores='1' threads='2'/>";

describe('the guest sees the CPU topology and NUMA cells it was given', () => {
  test(`4 vCPUs as ${TOPOLOGY} on an Intel CPUID vendor: /proc/cpuinfo and /sys/devices/system/cpu/cpu*/topology`, { timeout: 300_000 }, async () => {
    const h = await createHarness();
    try {
      const shell = await bootWithShell(h, 'topo1', await xmlWith('topo1', '<vcpu>4</vcpu>',
        `  <cpu><model fallback='allow' vendor_id='GenuineIntel'>qemu64</model>${TOPOLOGY}</cpu>`));
      const procs = await cpuinfo(shell);
      assert.deepEqual(procs.map((p) => p.get('processor')), ['0', '1', '2', '3']);
      assert.equal(procs[0]?.get('vendor_id'), 'GenuineIntel');
      // QEMU numbers vCPUs thread first: vCPUs 0 and 1 are the two threads of socket 0's one core, 2 and 3 of socket 1's.
      assert.deepEqual(procs.map((p) => [p.get('physical id'), p.get('core id'), p.get('siblings'), p.get('cpu cores')]),
        [['0', '0', '2', '1'], ['0', '0', '2', '1'], ['1', '0', '2', '1'], ['1', '0', '2', '1']]);
      assert.deepEqual(await topology(shell, 'physical_package_id'), ['0', '0', '1', '1']);
      assert.deepEqual(await topology(shell, 'die_id'), ['0', '0', '0', '0']);
      assert.deepEqual(await topology(shell, 'core_id'), ['0', '0', '0', '0']);
      assert.deepEqual(await topology(shell, 'thread_siblings_list'), ['0-1', '0-1', '2-3', '2-3']);
      assert.deepEqual(await topology(shell, 'core_siblings_list'), ['0-1', '0-1', '2-3', '2-3']);
      assert.equal((await shell.check('cat /sys/devices/system/cpu/online')).trim(), '0-3');
      await h.engine.dispatch({ kind: 'destroy', name: 'topo1' });
      await assertNoLeftovers(h);
    } finally {
      await h.close();
    }
  });

  test(`the same ${TOPOLOGY} on the default qemu64 (an AMD CPU without topoext): the guest counts the threads as cores`, { timeout: 300_000 }, async () => {
    const h = await createHarness();
    try {
      const shell = await bootWithShell(h, 'topo2', await xmlWith('topo2', '<vcpu>4</vcpu>', `  <cpu>${TOPOLOGY}</cpu>`));
      const procs = await cpuinfo(shell);
      assert.equal(procs[0]?.get('vendor_id'), 'AuthenticAMD');
      // Sockets come through; Linux finds AMD SMT siblings only through CPUID leaf 0x8000001e (topoext), which qemu64 lacks.
      assert.deepEqual(await topology(shell, 'physical_package_id'), ['0', '0', '1', '1']);
      assert.deepEqual(procs.map((p) => [p.get('core id'), p.get('cpu cores')]), [['0', '2'], ['1', '2'], ['0', '2'], ['1', '2']]);
      assert.deepEqual(await topology(shell, 'thread_siblings_list'), ['0', '1', '2', '3']);
      await h.engine.dispatch({ kind: 'destroy', name: 'topo2' });
      await assertNoLeftovers(h);
    } finally {
      await h.close();
    }
  });

  test('two guest NUMA cells of different sizes with distances: /sys/devices/system/node/node*/{cpulist,meminfo,distance}', { timeout: 300_000 }, async () => {
    const h = await createHarness();
    try {
      const shell = await bootWithShell(h, 'topo3', await xmlWith('topo3', '<vcpu>4</vcpu>', `  <cpu><topology sockets='2' dies='1' cores='2' threads='1'/><numa>
    <cell id='0' cpus='0-1' memory='160' unit='MiB'><distances><sibling id='0' value='10'/><sibling id='1' value='21'/></distances></cell>
    <cell id='1' cpus='2-3' memory='96' unit='MiB'><distances><sibling id='0' value='21'/><sibling id='1' value='10'/></distances></cell>
  </numa></cpu>`));
      assert.equal((await shell.check('ls -d /sys/devices/system/node/node*')).trim().split(/\s+/).join(' '), '/sys/devices/system/node/node0 /sys/devices/system/node/node1');
      const n = await files(shell, '/sys/devices/system/node/node[01]/cpulist /sys/devices/system/node/node[01]/distance');
      assert.deepEqual([n['/sys/devices/system/node/node0/cpulist'], n['/sys/devices/system/node/node1/cpulist']], ['0-1', '2-3']);
      assert.deepEqual([n['/sys/devices/system/node/node0/distance'], n['/sys/devices/system/node/node1/distance']], ['10 21', '21 10']);
      // A node's MemTotal is what its kernel manages: the cell less firmware holes and the kernel's own reservations,
      // which land on either node (the kernel image sits where KASLR put it). So: no node has more than its cell,
      // and the nodes add up to the guest's MemTotal; with cells of 160 and 96 MiB, swapped cells would fail the first.
      const memTotal = (text: string): number => Number(/MemTotal:\s+(\d+) kB/.exec(text)?.[1]);
      const [m0, m1] = [memTotal(await shell.check('cat /sys/devices/system/node/node0/meminfo')), memTotal(await shell.check('cat /sys/devices/system/node/node1/meminfo'))];
      const all = memTotal(await shell.check('cat /proc/meminfo'));
      assert.equal(m0 + m1, all, `node0 ${m0} kB + node1 ${m1} kB`);
      assert.ok(m0 <= 160 * 1024, `node0 has ${m0} kB, more than its cell's 160 MiB`);
      assert.ok(m1 <= 96 * 1024, `node1 has ${m1} kB, more than its cell's 96 MiB`);
      await h.engine.dispatch({ kind: 'destroy', name: 'topo3' });
      await assertNoLeftovers(h);
    } finally {
      await h.close();
    }
  });
});
