/**
 * vcpupin, emulatorpin, iothreadpin, iothreadinfo, schedinfo, numatune and vcpuinfo --pretty on a
 * real running 2-vCPU TCG guest, in-process through the CLI against a real rooted daemon: a live
 * change moves QEMU's thread (Cpus_allowed_list in /proc; threads found by the names QEMU gives
 * them with debug-threads=on) or writes the domain's v1 cgroup; --config changes only the
 * definition; the cgroup is gone once the domain is destroyed.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { detectCgroup } from '../../src/host/tuning/cgroup.js';
import { GUEST_APPEND, ensureTestGuest } from '../helpers/guest.js';
import { allowedCpus } from '../helpers/qemu-threads.js';
import { cli, inProcessDaemon, isAlive } from './daemon-harness.js';

const CG = '/sys/fs/cgroup';
const v1 = (await detectCgroup(CG))?.version === 1;
const twoCpus = (await readFile('/sys/devices/system/cpu/online', 'utf8')).trim() !== '0';

/**
 * Thread name (comm) -> Cpus_allowed_list of QEMU `pid`'s main thread, vCPUs and I/O threads
 * (mon_iothread is QEMU's own, not an <iothreads> one: an emulator thread).
 */
async function affinities(pid: number): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    const comm = (await readFile(`/proc/${pid}/task/${tid}/comm`, 'utf8').catch(() => '')).trim();
    const list = await allowedCpus(pid, tid).catch(() => undefined);
    if (list !== undefined && (tid === String(pid) || comm.startsWith('CPU ') || comm.startsWith('IO '))) out[tid === String(pid) ? 'main' : comm] = list;
  }
  return out;
}

describe('tuning commands on a running guest', { timeout: 180_000, skip: !v1 || !twoCpus ? 'needs a cgroup v1 cpu hierarchy and 2 host CPUs' : false }, () => {
  it('change pinning, shares and the nodeset live, and the definition with --config', async () => {
    const g = await ensureTestGuest();
    const d = await inProcessDaemon();
    let pid = -1;
    try {
      await writeFile(join(d.root, 't1.xml'), `<domain type='qemu'>
  <name>t1</name>
  <memory unit='MiB'>256</memory>
  <vcpu>2</vcpu>
  <iothreads>1</iothreads>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>${g.kernel}</kernel><initrd>${g.initrd}</initrd><cmdline>${GUEST_APPEND}</cmdline></os>
  <devices><serial type='pty'/><console type='pty'/></devices>
</domain>
`);
      const ok = async (argv: string[]): Promise<string> => {
        const r = await cli(d.root, argv);
        assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
        return r.stdout;
      };
      await ok(['define', 't1.xml']);
      await ok(['start', 't1']);
      pid = (await d.daemon.engine.ctx.statusOf(d.daemon.engine.ctx.registry.named('t1')))?.pid ?? -1;
      assert.deepEqual(await affinities(pid), { 'main': '0-1', 'CPU 0/TCG': '0-1', 'CPU 1/TCG': '0-1', 'IO iothread1': '0-1', 'IO mon_iothread': '0-1' });
      assert.equal(await ok(['vcpupin', 't1']), ' VCPU   CPU Affinity\n----------------------\n 0      0-1\n 1      0-1\n\n');

      await ok(['vcpupin', 't1', '0', '1', '--live']);
      await ok(['vcpupin', 't1', '--vcpu', '1', '--cpulist', '0']);
      await ok(['emulatorpin', 't1', '0']);
      await ok(['iothreadpin', 't1', '1', '1']);
      assert.deepEqual(await affinities(pid), { 'main': '0', 'CPU 0/TCG': '1', 'CPU 1/TCG': '0', 'IO iothread1': '1', 'IO mon_iothread': '0' });
      assert.equal(await ok(['vcpupin', 't1', '0']), ' VCPU   CPU Affinity\n----------------------\n 0      1\n\n');
      assert.equal(await ok(['emulatorpin', 't1']), 'emulator: CPU Affinity\n----------------------------------\n       *: 0\n\n');
      assert.equal(await ok(['iothreadinfo', 't1']), ' IOThread ID   CPU Affinity\n-----------------------------\n 1             1\n\n');
      assert.match(await ok(['vcpuinfo', 't1', '--pretty']), /^VCPU:\s+0\n(?:.*\n){3}CPU Affinity:\s+1\n\nVCPU:\s+1\n(?:.*\n){3}CPU Affinity:\s+0\n/);
      // The live XML carries them; the definition does not.
      assert.match(await ok(['dumpxml', 't1']), /<vcpupin vcpu='0' cpuset='1'\/>/);
      assert.doesNotMatch(await ok(['dumpxml', 't1', '--inactive']), /vcpupin/);

      const sched = await ok(['schedinfo', 't1', '--set', 'cpu_shares=512', '--live']);
      assert.match(sched, /^Scheduler {6}: posix\ncpu_shares {5}: 512\nvcpu_period {4}: 100000\nvcpu_quota {5}: -1\n/);
      assert.equal((await readFile(`${CG}/cpu/virtkit/qemu-${pid}/cpu.shares`, 'utf8')).trim(), '512');
      assert.match(await readFile(`/proc/${pid}/cgroup`, 'utf8'), new RegExp(`:cpu:/virtkit/qemu-${pid}\\n`));
      assert.match(await ok(['schedinfo', 't1', '--config']), /cpu_shares {5}: 0\n/);

      assert.equal(await ok(['numatune', 't1']), 'numa_mode      : strict\nnuma_nodeset   : \n\n');
      await ok(['numatune', 't1', '--nodeset', '0', '--live']);
      assert.equal((await readFile(`${CG}/cpuset/virtkit/qemu-${pid}/cpuset.mems`, 'utf8')).trim(), '0');
      const mode = await cli(d.root, ['numatune', 't1', '--mode', 'interleave', '--live']);
      assert.equal(mode.code, 1);
      assert.match(mode.stderr, /can't change numatune mode for running domain/);

      // --config: the definition changes, the running threads do not.
      await ok(['vcpupin', 't1', '1', '1', '--config']);
      await ok(['numatune', 't1', '--mode', 'interleave', '--nodeset', '0', '--config']);
      const inactive = await ok(['dumpxml', 't1', '--inactive']);
      assert.match(inactive, /<vcpupin vcpu='1' cpuset='1'\/>/);
      assert.match(inactive, /<memory mode='interleave' nodeset='0'\/>/);
      assert.equal((await affinities(pid))['CPU 1/TCG'], '0');

      const bad = await cli(d.root, ['vcpupin', 't1', '0', '7']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /cpulist '7' names CPU 7, but the host has CPUs 0-1/);

      await ok(['destroy', 't1']);
      assert.equal(existsSync(`${CG}/cpu/virtkit/qemu-${pid}`), false, 'the cpu cgroup is removed');
      assert.equal(existsSync(`${CG}/cpuset/virtkit/qemu-${pid}`), false, 'the cpuset cgroup is removed');
    } finally {
      if (isAlive(pid)) await cli(d.root, ['destroy', 't1']);
      await d.close();
    }
    assert.equal(isAlive(pid), false, 'QEMU is gone');
  });
});
