/**
 * domstats, vcpuinfo, vcpucount, domblklist, domiflist, dumpxml (live
 * aliases) and setmaxmem on a real running TCG guest, in-process through
 * the CLI against a real rooted daemon.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GUEST_APPEND, ensureTestGuest } from '../helpers/guest.js';
import { cli, inProcessDaemon, isAlive } from './daemon-harness.js';
import { until } from '../helpers/wait.js';

describe('monitoring commands on a running guest', { timeout: 180_000 }, () => {
  it('domstats, vcpuinfo, vcpucount, domblklist, domiflist and dumpxml show what QEMU runs', async () => {
    const g = await ensureTestGuest();
    const d = await inProcessDaemon();
    const tap = `vkt${process.pid % 100000}`;
    let pid = -1;
    try {
      await writeFile(join(d.root, 'disk.img'), Buffer.alloc(1 << 20));
      await writeFile(join(d.root, 'g1.xml'), `<domain type='qemu'>
  <name>g1</name>
  <memory unit='MiB'>256</memory>
  <vcpu>2</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>${g.kernel}</kernel><initrd>${g.initrd}</initrd><cmdline>${GUEST_APPEND}</cmdline></os>
  <features><acpi/></features>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${d.root}/disk.img'/><target dev='vda' bus='virtio'/></disk>
    <interface type='user'><mac address='52:54:00:00:00:01'/><model type='virtio'/></interface>
    <interface type='ethernet'><mac address='52:54:00:00:00:02'/><target dev='${tap}' managed='no'/><model type='e1000'/></interface>
    <serial type='pty'/>
    <console type='pty'/>
  </devices>
</domain>
`);
      assert.equal((await cli(d.root, ['define', 'g1.xml'])).code, 0);
      assert.deepEqual(await cli(d.root, ['domstats', 'g1']), { code: 0, stdout: "Domain: 'g1'\n  state.state=5\n  state.reason=0\n  vcpu.current=2\n  vcpu.maximum=2\n\n", stderr: '' });
      assert.equal((await cli(d.root, ['start', 'g1'])).code, 0);
      pid = (await d.daemon.engine.ctx.statusOf(d.daemon.engine.ctx.registry.named('g1')))?.pid ?? -1;
      // The vCPUs' times are counted in clock ticks: wait until both have run for one.
      const tick = (out: string, k: string): boolean => Number(out.split('\n').find((l) => l.startsWith(`  ${k}=`))?.split('=')[1]) > 0;
      const s = await until('cpu.time and vcpu.0.time above 0', async () => {
        const r = await cli(d.root, ['domstats', 'g1']);
        assert.equal(r.code, 0, r.stderr);
        return tick(r.stdout, 'cpu.time') && tick(r.stdout, 'vcpu.0.time') ? r : undefined;
      }, 30_000);
      const lines = s.stdout.split('\n');
      const keys = lines.slice(1).filter((l) => l !== '').map((l) => l.replace(/=.*/, ''));
      assert.deepEqual(keys, [
        '  state.state', '  state.reason', '  cpu.time', '  cpu.user', '  cpu.system', '  balloon.current', '  balloon.maximum',
        '  vcpu.current', '  vcpu.maximum', '  vcpu.0.state', '  vcpu.0.time', '  vcpu.1.state', '  vcpu.1.time',
        '  net.count', '  net.0.name', ...['rx.bytes', 'rx.pkts', 'rx.errs', 'rx.drop', 'tx.bytes', 'tx.pkts', 'tx.errs', 'tx.drop'].map((k) => `  net.0.${k}`),
        '  block.count', '  block.0.name', '  block.0.path', ...['rd.reqs', 'rd.bytes', 'rd.times', 'wr.reqs', 'wr.bytes', 'wr.times', 'fl.reqs', 'fl.times'].map((k) => `  block.0.${k}`),
      ]);
      const v = (k: string) => lines.find((l) => l.startsWith(`  ${k}=`))?.slice(k.length + 3);
      assert.equal(lines[0], "Domain: 'g1'");
      assert.deepEqual([v('state.state'), v('state.reason'), v('balloon.maximum'), v('vcpu.0.state')], ['1', '1', '262144', '1']);
      assert.ok(Number(v('cpu.time')) > 0 && Number(v('vcpu.0.time')) > 0, s.stdout);
      assert.equal(v('net.0.name'), tap);
      assert.deepEqual([v('block.0.name'), v('block.0.path')], ['vda', `${d.root}/disk.img`]);
      const only = await cli(d.root, ['domstats', '--state', '--balloon', 'g1']);
      assert.equal(only.stdout, "Domain: 'g1'\n  state.state=1\n  state.reason=1\n  balloon.current=262144\n  balloon.maximum=262144\n\n");

      const vi = await cli(d.root, ['vcpuinfo', 'g1']);
      assert.equal(vi.code, 0, vi.stderr);
      const blocks = vi.stdout.trimEnd().split('\n\n');
      assert.equal(blocks.length, 2);
      blocks.forEach((b, i) => {
        assert.match(b, new RegExp(`^VCPU: {11}${i}\\nCPU: {12}\\d+\\nState: {10}running\\nCPU time: {7}\\d+\\.\\ds\\nCPU Affinity: {3}[y-]+$`));
      });
      assert.equal((await cli(d.root, ['vcpucount', 'g1'])).stdout, 'maximum      config         2\nmaximum      live           2\ncurrent      config         2\ncurrent      live           2\n\n');
      assert.equal((await cli(d.root, ['domblklist', 'g1'])).stdout, ` Target   Source\n${'-'.repeat(9 + `${d.root}/disk.img`.length + 3)}\n vda      ${d.root}/disk.img\n\n`);
      assert.equal((await cli(d.root, ['domiflist', 'g1'])).stdout, [
        ' Interface   Type       Source   Model    MAC', '-'.repeat(61),
        ' -           user       -        virtio   52:54:00:00:00:01', ` ${tap.padEnd(12)}ethernet   -        e1000    52:54:00:00:00:02`, '', '',
      ].join('\n'));

      // Aliases: in the live XML only.
      assert.match((await cli(d.root, ['dumpxml', 'g1'])).stdout, /<alias name='virtio-disk0'\/>[\s\S]*<alias name='net1'\/>/);
      assert.doesNotMatch((await cli(d.root, ['dumpxml', '--inactive', 'g1'])).stdout, /<alias /);

      const mm = await cli(d.root, ['setmaxmem', 'g1', '512M']);
      assert.deepEqual([mm.code, mm.stderr], [1, "error: Unable to change MaxMemorySize\nerror: cannot resize the maximum memory of active domain 'g1': use --config, and it applies at the next start\n"]);
      assert.equal((await cli(d.root, ['setmaxmem', 'g1', '512M', '--config'])).code, 0);
      assert.match((await cli(d.root, ['dumpxml', 'g1'])).stdout, /<memory unit='KiB'>262144<\/memory>/);
      assert.match((await cli(d.root, ['dumpxml', '--inactive', 'g1'])).stdout, /<memory unit='KiB'>524288<\/memory>/);

      assert.equal((await cli(d.root, ['destroy', 'g1'])).code, 0);
      assert.doesNotMatch((await cli(d.root, ['dumpxml', 'g1'])).stdout, /<alias /);
    } finally {
      // The daemon leaves guests running when it stops (restart safety): a failed test stops its own.
      if (isAlive(pid)) await cli(d.root, ['destroy', 'g1']);
      await d.close();
    }
    assert.equal(isAlive(pid), false, 'QEMU is gone');
    assert.equal(existsSync(`/sys/class/net/${tap}`), false, 'the tap went with QEMU');
  });
});
