import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeTopology } from '../../../../tests/helpers/fake-sysfs.js';
import { hostPageSizes, hostXmlLines } from './host-xml.js';

const GiB = 1024 * 1024;

test("capabilities <host>: two nodes of 2 cores x 2 threads, huge page pools, distances, siblings", () => {
  const topology = fakeTopology({
    nodes: 2, cores: 2, threads: 2, memTotalKiB: 4 * GiB, distance: 21,
    hugepages: [{ sizeKiB: 2048, total: 512, free: 500 }],
    node: { 1: { memTotalKiB: 8 * GiB, hugepages: [{ sizeKiB: 1048576, total: 2, free: 2 }] } },
  });
  const cpuid = { vendor: 'AMD', microcode: 16777317, signature: { family: 25, model: 17, stepping: 1 } };
  assert.equal(hostXmlLines({ arch: 'x86_64', cpuid, topology, iommu: true, pageKiB: 4 }).join('\n'), `\
    <cpu>
      <arch>x86_64</arch>
      <vendor>AMD</vendor>
      <microcode version='16777317'/>
      <signature family='25' model='17' stepping='1'/>
      <topology sockets='1' dies='1' cores='2' threads='2'/>
      <pages unit='KiB' size='4'/>
      <pages unit='KiB' size='2048'/>
      <pages unit='KiB' size='1048576'/>
    </cpu>
    <power_management/>
    <iommu support='yes'/>
    <topology>
      <cells num='2'>
        <cell id='0'>
          <memory unit='KiB'>4194304</memory>
          <pages unit='KiB' size='4'>786432</pages>
          <pages unit='KiB' size='2048'>512</pages>
          <pages unit='KiB' size='1048576'>0</pages>
          <distances>
            <sibling id='0' value='10'/>
            <sibling id='1' value='21'/>
          </distances>
          <cpus num='4'>
            <cpu id='0' socket_id='0' die_id='0' core_id='0' siblings='0,4'/>
            <cpu id='1' socket_id='0' die_id='0' core_id='1' siblings='1,5'/>
            <cpu id='4' socket_id='0' die_id='0' core_id='0' siblings='0,4'/>
            <cpu id='5' socket_id='0' die_id='0' core_id='1' siblings='1,5'/>
          </cpus>
        </cell>
        <cell id='1'>
          <memory unit='KiB'>8388608</memory>
          <pages unit='KiB' size='4'>1572864</pages>
          <pages unit='KiB' size='2048'>0</pages>
          <pages unit='KiB' size='1048576'>2</pages>
          <distances>
            <sibling id='0' value='21'/>
            <sibling id='1' value='10'/>
          </distances>
          <cpus num='4'>
            <cpu id='2' socket_id='1' die_id='0' core_id='0' siblings='2,6'/>
            <cpu id='3' socket_id='1' die_id='0' core_id='1' siblings='3,7'/>
            <cpu id='6' socket_id='1' die_id='0' core_id='0' siblings='2,6'/>
            <cpu id='7' socket_id='1' die_id='0' core_id='1' siblings='3,7'/>
          </cpus>
        </cell>
      </cells>
    </topology>`);
});

test('capabilities <host>: a memory-only node has no <cpus>; an uneven host falls back to flat topology', () => {
  const t = fakeTopology({ nodes: 2, cores: 2, threads: 1 });
  const memOnly = { ...t, cpus: t.cpus.filter((c) => c.node === 0), nodes: t.nodes.map((n) => (n.id === 1 ? { ...n, cpus: [] } : n)) };
  const xml = hostXmlLines({ arch: 'x86_64', topology: memOnly, iommu: false, pageKiB: 4 }).join('\n');
  assert.match(xml, /<cell id='1'>\n\s+<memory unit='KiB'>16777216<\/memory>\n\s+<pages unit='KiB' size='4'>4194304<\/pages>\n\s+<distances>[\s\S]*?<\/distances>\n\s+<\/cell>/);
  assert.match(xml, /<topology sockets='1' dies='1' cores='2' threads='1'\/>/);
  assert.match(xml, /<iommu support='no'\/>/);
  // one CPU of a 2-thread core offline: 1 x 1 x 2 x 2 != 3, so libvirt's flat 1/1/3/1
  const u = fakeTopology({ nodes: 1, cores: 2, threads: 2 });
  const uneven = { ...u, cpus: u.cpus.filter((c) => c.id !== 3) };
  assert.match(hostXmlLines({ arch: 'x86_64', topology: uneven, iommu: false, pageKiB: 4 }).join('\n'), /<topology sockets='1' dies='1' cores='3' threads='1'\/>/);
});

test('page sizes: the system page, then every pool size of any node, ascending', () => {
  const topology = fakeTopology({ nodes: 2, cores: 1, threads: 1, node: { 1: { hugepages: [{ sizeKiB: 2048, total: 0, free: 0 }] } } });
  assert.deepEqual(hostPageSizes({ topology, pageKiB: 4 }), [4, 2048]);
});
