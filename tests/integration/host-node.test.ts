/**
 * The host commands against a real daemon (with the real QEMU driver) whose host root is a fake
 * two-node sysfs tree (tests/helpers/fake-sysfs.ts): capabilities, nodeinfo, freecell,
 * freepages, nodecpumap, nodememstats, nodecpustats, sysinfo and allocpages print what that tree holds;
 * maxvcpus and cpu-models what the probed QEMU allows. Then allocpages once on this
 * machine's real 2 MiB pool, put back to its size afterwards.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fakeSysfs, type FakeSysfs } from '../helpers/fake-sysfs.js';
import { holdHugepagePool } from '../helpers/hugepages.js';
import { cli, inProcessDaemon } from './daemon-harness.js';

const GiB = 1024 * 1024;

async function twoNodeHost(): Promise<FakeSysfs> {
  const host = await fakeSysfs({
    nodes: 2, cores: 2, threads: 2, memTotalKiB: 4 * GiB, memFreeKiB: 3 * GiB,
    hugepages: [{ sizeKiB: 2048, total: 8, free: 6 }],
    node: { 1: { memTotalKiB: 4 * GiB, memFreeKiB: 2 * GiB, hugepages: [{ sizeKiB: 2048, total: 0, free: 0 }, { sizeKiB: 1048576, total: 1, free: 1 }] } },
  });
  const put = async (path: string, text: string) => {
    await mkdir(join(host.root, path, '..'), { recursive: true });
    await writeFile(join(host.root, path), text);
  };
  await put('proc/meminfo', 'MemTotal:        8388608 kB\nMemFree:         5242880 kB\nHugepagesize:       2048 kB\n');
  await put('proc/cpuinfo', 'processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\nstepping\t: 7\nmicrocode\t: 0x5003604\ncpu MHz\t\t: 2600.000\n');
  await put('sys/devices/system/cpu/present', '0-7\n');
  await put('sys/class/dmi/id/sys_vendor', 'QEMU\n');
  await put('sys/class/dmi/id/bios_vendor', 'SeaBIOS\n');
  await put('proc/stat', 'cpu  100 20 300 4000 50 6 7 0 0 0\ncpu0 10 2 30 400 5 0 1 0 0 0\n');
  return host;
}

describe('host commands on a fake two-node host', () => {
  it('capabilities, nodeinfo, freecell, freepages, nodecpumap, node*stats, maxvcpus, allocpages read and write the tree', { timeout: 120_000 }, async () => {
    const host = await twoNodeHost();
    const d = await inProcessDaemon({ hostRoot: host.root });
    const ok = async (argv: string[]): Promise<string> => {
      const r = await cli(d.root, argv);
      assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, '');
      return r.stdout;
    };
    try {
      const caps = await ok(['capabilities']);
      assert.match(caps, /<arch>x86_64<\/arch>\n\s+<vendor>Intel<\/vendor>\n\s+<microcode version='83899908'\/>\n\s+<signature family='6' model='85' stepping='7'\/>\n\s+<topology sockets='1' dies='1' cores='2' threads='2'\/>\n\s+<pages unit='KiB' size='4'\/>\n\s+<pages unit='KiB' size='2048'\/>\n\s+<pages unit='KiB' size='1048576'\/>\n\s+<\/cpu>/);
      assert.match(caps, /<iommu support='no'\/>\n\s+<topology>\n\s+<cells num='2'>\n\s+<cell id='0'>\n\s+<memory unit='KiB'>4194304<\/memory>\n\s+<pages unit='KiB' size='4'>1044480<\/pages>\n\s+<pages unit='KiB' size='2048'>8<\/pages>/);
      assert.match(caps, /<cell id='1'>[\s\S]*?<pages unit='KiB' size='1048576'>1<\/pages>\n\s+<distances>\n\s+<sibling id='0' value='21'\/>\n\s+<sibling id='1' value='10'\/>\n\s+<\/distances>\n\s+<cpus num='4'>\n\s+<cpu id='2' socket_id='1' die_id='0' core_id='0' siblings='2,6'\/>/);
      // the guest part is still the probed QEMU's
      assert.match(caps, /<guest>\n\s+<os_type>hvm<\/os_type>\n\s+<arch name='x86_64'>[\s\S]*<domain type='qemu'\/>/);
      const json = JSON.parse(await ok(['--json', 'capabilities'])) as { xml: string; host: { topology: { nodes: unknown[] } } };
      assert.equal(json.xml, caps.replace(/\n\n$/, '\n'));
      assert.equal(json.host.topology.nodes.length, 2);

      assert.match(await ok(['nodeinfo']), /^CPU model: +\S+\nCPU\(s\): +8\nCPU frequency: +2600 MHz\nCPU socket\(s\): +1\nCore\(s\) per socket: +2\nThread\(s\) per core: +2\nNUMA cell\(s\): +2\nMemory size: +8388608 KiB\n/);
      assert.equal(await ok(['freecell']), 'Total: 5242880 KiB\n\n');
      assert.equal(await ok(['freecell', '1']), '1: 2097152 KiB\n\n');
      assert.equal(await ok(['freecell', '--all']), '    0:    3145728 KiB\n    1:    2097152 KiB\n--------------------\nTotal:    5242880 KiB\n\n');
      assert.equal(await ok(['freepages', '--all']), 'Node 0:\n4KiB: 786432\n2048KiB: 6\n1048576KiB: 0\n\nNode 1:\n4KiB: 524288\n2048KiB: 0\n1048576KiB: 1\n\n');
      assert.equal(await ok(['freepages', '--cellno', '0', '--pagesize', '2M']), '2048KiB: 6\n\n');
      assert.equal(await ok(['nodecpumap']), 'CPUs present:   8\nCPUs online:    8\nCPU map:        yyyyyyyy\n\n');
      assert.equal(await ok(['nodecpumap', '--pretty']), 'CPUs present:   8\nCPUs online:    8\nCPU map:        0-7\n\n');

      assert.equal(await ok(['nodememstats']), 'total  :              8388608 KiB\nfree   :              5242880 KiB\n\n');
      assert.equal(await ok(['nodememstats', '1']), 'total  :              4194304 KiB\nfree   :              2097152 KiB\n\n');
      assert.equal(await ok(['nodecpustats']), 'user:                     1200000000\nsystem:                   3130000000\nidle:                    40000000000\niowait:                    500000000\n\n');
      assert.match(await ok(['nodecpustats', '--cpu', '0']), /^user: +120000000\nsystem: +310000000\n/);
      assert.equal(await ok(['maxvcpus', '--type', 'qemu']), '255\n\n');
      assert.equal(await ok(['sysinfo']), "<sysinfo type='smbios'>\n  <bios>\n    <entry name='vendor'>SeaBIOS</entry>\n  </bios>\n  <system>\n    <entry name='manufacturer'>QEMU</entry>\n  </system>\n</sysinfo>\n\n");
      assert.deepEqual(JSON.parse(await ok(['--json', 'maxvcpus'])), { maxvcpus: 255 });
      const models = (await ok(['cpu-models', 'x86_64'])).trimEnd().split('\n');
      for (const m of ['qemu64', 'max', 'Skylake-Client', 'Skylake-Client-v1', 'EPYC']) assert.ok(models.includes(m), `cpu-models lists ${m}`);
      assert.deepEqual(models, [...models].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      assert.deepEqual(JSON.parse(await ok(['--json', 'cpu-models', 'x86_64'])), { models });

      assert.equal(await ok(['allocpages', '2M', '16', '--cellno', '1']), '\n');
      assert.equal(await ok(['allocpages', '--add', '2048', '4', '--cellno', '1']), '\n');
      assert.equal(await readFile(join(host.root, 'sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages'), 'utf8'), '20\n');
      assert.match(await ok(['capabilities']), /<cell id='1'>\n\s+<memory unit='KiB'>4194304<\/memory>\n\s+<pages unit='KiB' size='4'>776192<\/pages>\n\s+<pages unit='KiB' size='2048'>20<\/pages>/);
      assert.equal(await ok(['allocpages', '2M', '10', '--all']), '\n');
      const report = JSON.parse(await ok(['--json', 'freepages', '--all'])) as unknown;
      assert.ok(report !== null);
      const pools = await Promise.all([0, 1].map((n) => readFile(join(host.root, `sys/devices/system/node/node${n}/hugepages/hugepages-2048kB/nr_hugepages`), 'utf8')));
      assert.deepEqual(pools, ['10\n', '10\n']);

      const fails = async (argv: string[], stderr: RegExp) => {
        const r = await cli(d.root, argv);
        assert.equal(r.code, 1, argv.join(' '));
        assert.match(r.stderr, stderr, argv.join(' '));
      };
      await fails(['allocpages', '4', '1'], /^error: the system page pool cannot be sized/);
      await fails(['allocpages', '2M', '1', '--cellno', '7'], /NUMA cell 7 does not exist \(this host has cells 0, 1\)/);
      await fails(['allocpages', '1G', '1', '--cellno', '0'], /page size 1048576KiB is not available on NUMA node 0/);
      await fails(['freecell', '3'], /NUMA cell 3 does not exist/);
      await fails(['nodememstats', '2'], /NUMA cell 2 does not exist/);
      await fails(['nodecpustats', '1'], /CPU 1 does not exist or is offline/);
      await fails(['maxvcpus', '--type', 'xen'], /unknown domain type 'xen'/);
      await fails(['cpu-models', 'aarch64'], /^error: failed to get CPU model names\nerror: no CPU models for architecture 'aarch64'/);
      await fails(['freecell', '1', '--all'], /Options --all and --cellno are mutually exclusive/);
      await fails(['freepages', '--cellno', '0'], /^error: missing pagesize argument\n/);
      await fails(['freepages', '0', '64'], /page size 64KiB is not supported by this host/);
    } finally {
      await d.close();
      await host.remove();
    }
  });
});

describe('allocpages on this machine', () => {
  const file = '/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages';
  it("adds one 2 MiB page to node 0's pool through the daemon, then takes it back", { timeout: 660_000 }, async (t) => {
    if (process.getuid?.() !== 0 || (await readFile(file, 'utf8').catch(() => undefined)) === undefined) return t.skip(`needs root and ${file}`);
    const letGo = await holdHugepagePool();
    const d = await inProcessDaemon();
    let added = false;
    const before = Number(await readFile(file, 'utf8'));
    try {
      const r = await cli(d.root, ['allocpages', '2M', '1', '--add', '--cellno', '0']);
      assert.deepEqual([r.code, r.stderr], [0, ''], r.stderr);
      added = true;
      assert.equal(Number(await readFile(file, 'utf8')), before + 1);
      const caps = await cli(d.root, ['capabilities']);
      assert.match(caps.stdout, new RegExp(`<cell id='0'>[\\s\\S]*?<pages unit='KiB' size='2048'>${before + 1}</pages>`));
    } finally {
      // Back by the one page (not to the size read before), so a change by anyone else is kept.
      try {
        if (added) await writeFile(file, String(Math.max(0, Number(await readFile(file, 'utf8')) - 1)));
      } finally {
        await d.close();
        await letGo();
      }
    }
    assert.equal(Number(await readFile(file, 'utf8')), before);
  });
});
