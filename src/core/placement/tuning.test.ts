import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeTopology } from '../../../tests/helpers/fake-sysfs.js';
import { formatDomainXml, parseDomainXml, validateDomain } from '../xml/domain/index.js';
import { placeDomain } from './place.js';
import { placementRequest } from './request.js';
import { applyPlacement } from './tuning.js';

const GiB = 1024 * 1024;
/**
 * 4 nodes x 8 cores x 2 threads, a 2 MiB pool of 2048 pages per node. Node n has cores
 * 8n..8n+7 with siblings 32+8n..; its first core is shared (emulator threads). Node 0's other
 * cores are held by another dedicated domain, node 1 has only 100 free pages: node 2 it is.
 */
const host = fakeTopology({
  nodes: 4, cores: 8, threads: 2, hugepages: [{ sizeKiB: 2048, total: 2048, free: 2048 }],
  node: { 1: { hugepages: [{ sizeKiB: 2048, total: 2048, free: 100 }] } },
});
const busy = { domain: 'other', cpus: [1, 2, 3, 4, 5, 6, 7, 33, 34, 35, 36, 37, 38, 39], memory: [], hugepages: [] };

const OS = "<os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>";
const vnf = (body: string): string => `<domain type='kvm'><name>vnf</name><memory unit='GiB'>4</memory>${body}${OS}</domain>`;

describe('a placement written into the definition', () => {
  it('carries what an expert writes by hand for a telco VNF on the four-node host', () => {
    const asked = vnf("<vcpu placement='auto'>4</vcpu><numatune><memory mode='strict' placement='auto'/></numatune>" +
      "<memoryBacking><hugepages/></memoryBacking><cpu mode='host-passthrough'/>");
    const p = placeDomain({ host, holdings: [busy], request: { domain: 'vnf', vcpus: 4, memoryKiB: 4 * GiB, hugepageKiB: 2048, smt: 'prefer' } });
    const placed = applyPlacement(parseDomainXml(asked), p);
    validateDomain(placed);
    const expert = vnf(`
      <memoryBacking><hugepages><page size='2048' unit='KiB' nodeset='0'/></hugepages></memoryBacking>
      <vcpu placement='static'>4</vcpu>
      <cputune>
        <vcpupin vcpu='0' cpuset='17'/>
        <vcpupin vcpu='1' cpuset='49'/>
        <vcpupin vcpu='2' cpuset='18'/>
        <vcpupin vcpu='3' cpuset='50'/>
        <emulatorpin cpuset='16,48'/>
      </cputune>
      <numatune>
        <memory mode='strict' nodeset='2'/>
        <memnode cellid='0' mode='strict' nodeset='2'/>
      </numatune>
      <cpu mode='host-passthrough'>
        <topology sockets='1' dies='1' cores='2' threads='2'/>
        <numa><cell id='0' cpus='0-3' memory='4' unit='GiB'/></numa>
      </cpu>`);
    assert.equal(formatDomainXml(placed), formatDomainXml(parseDomainXml(expert)));
  });

  it("keeps the guest's own NUMA cells and topology: a memnode per cell, pages for every cell", () => {
    const asked = vnf("<vcpu placement='auto'>2</vcpu><memoryBacking><hugepages/></memoryBacking><cpu mode='host-passthrough'>" +
      "<topology sockets='2' cores='1' threads='1'/><numa><cell id='0' cpus='0' memory='2' unit='GiB'/><cell id='1' cpus='1' memory='2' unit='GiB'/></numa></cpu>");
    const p = placeDomain({ host, holdings: [busy], request: { domain: 'vnf', vcpus: 2, memoryKiB: 4 * GiB, hugepageKiB: 2048, smt: 'isolate' } });
    const placed = applyPlacement(parseDomainXml(asked), p);
    validateDomain(placed);
    assert.deepEqual([p.node, p.vcpus, p.idle], [2, [17, 18], [49, 50]]);
    assert.deepEqual(placed.numatune, { memory: { mode: 'strict', nodeset: '2' }, memnode: [{ cellid: 0, mode: 'strict', nodeset: '2' }, { cellid: 1, mode: 'strict', nodeset: '2' }] });
    assert.deepEqual(placed.memoryBacking?.hugepages?.page, [{ size: 2048, nodeset: '0-1' }]);
    assert.deepEqual(placed.cpu?.topology, { sockets: 2, cores: 1, threads: 1 });
    assert.deepEqual(placed.cputune?.vcpupin, [{ vcpu: 0, cpuset: '17' }, { vcpu: 1, cpuset: '18' }]);
  });
});

describe('the request a definition makes', () => {
  it('takes the vCPUs, the memory and the huge page size (the default one for <hugepages/>)', () => {
    const def = (extra: string): ReturnType<typeof parseDomainXml> => parseDomainXml(vnf(`<vcpu placement='auto' current='2'>4</vcpu>${extra}`));
    assert.deepEqual(placementRequest(def(''), { defaultHugepageKiB: 2048 }), { domain: 'vnf', vcpus: 4, memoryKiB: 4 * GiB });
    assert.deepEqual(placementRequest(def('<memoryBacking><hugepages/></memoryBacking>'), { defaultHugepageKiB: 2048, smt: 'isolate' }),
      { domain: 'vnf', vcpus: 4, memoryKiB: 4 * GiB, hugepageKiB: 2048, smt: 'isolate' });
    assert.deepEqual(placementRequest(def("<memoryBacking><hugepages><page size='1' unit='G'/></hugepages></memoryBacking>"), { defaultHugepageKiB: 2048 }).hugepageKiB, GiB);
  });

  it('refuses two huge page sizes, naming them', () => {
    const d = parseDomainXml(vnf("<vcpu>2</vcpu><memoryBacking><hugepages><page size='2048' unit='KiB' nodeset='0'/><page size='1' unit='G' nodeset='1'/></hugepages></memoryBacking>" +
      "<cpu><numa><cell id='0' cpus='0' memory='2' unit='GiB'/><cell id='1' cpus='1' memory='2' unit='GiB'/></numa></cpu>"));
    assert.throws(() => placementRequest(d, { defaultHugepageKiB: 2048 }), { code: 'XML_UNSUPPORTED', message: /one huge page size, the domain has 2048, 1048576 KiB/ });
  });
});
