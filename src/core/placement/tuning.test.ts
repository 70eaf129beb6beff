import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeTopology } from '../../../tests/helpers/fake-sysfs.js';
import { VNF_ASKED, VNF_BUSY_CPUS, VNF_EXPERT, VNF_HOST, vnfXml } from '../../../tests/helpers/placement-vnf.js';
import { formatDomainXml, parseDomainXml, validateDomain } from '../xml/domain/index.js';
import { placeDomain } from './place.js';
import { placementRequest } from './request.js';
import { applyPlacement } from './tuning.js';

const GiB = 1024 * 1024;
const host = fakeTopology(VNF_HOST);
const busy = { domain: 'other', cpus: VNF_BUSY_CPUS, memory: [], hugepages: [] };
const vnf = (body: string): string => vnfXml(body);

describe('a placement written into the definition', () => {
  it('carries what an expert writes by hand for a telco VNF on the four-node host', () => {
    const p = placeDomain({ host, holdings: [busy], request: { domain: 'vnf', vcpus: 4, memoryKiB: 4 * GiB, hugepageKiB: 2048, smt: 'prefer' } });
    const placed = applyPlacement(parseDomainXml(VNF_ASKED), p);
    validateDomain(placed);
    assert.equal(formatDomainXml(placed), formatDomainXml(parseDomainXml(VNF_EXPERT)));
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
