/**
 * The telco VNF of issue 10 on the fake four-node host: what it asks for (placement='auto',
 * huge pages) and what an expert writes by hand for it. The pure placement test
 * (src/core/placement/tuning.test.ts) and the daemon's (src/daemon/engine/placement.test.ts)
 * both compare their result with `VNF_EXPERT`.
 */
import type { FakeHostSpec } from './fake-sysfs.js';

/**
 * 4 nodes x 8 cores x 2 threads, a 2 MiB pool of 2048 pages per node. Node n has cores
 * 8n..8n+7 with siblings 32+8n..; its first core is shared (emulator threads). With node 0's
 * other cores held by another dedicated domain and node 1 having only 100 free pages, node 2 it is.
 */
export const VNF_HOST: FakeHostSpec = {
  nodes: 4, cores: 8, threads: 2, hugepages: [{ sizeKiB: 2048, total: 2048, free: 2048 }],
  node: { 1: { hugepages: [{ sizeKiB: 2048, total: 2048, free: 100 }] } },
};

/** What the other domain holds on node 0: every thread but the shared first core's. */
export const VNF_BUSY_CPUS = [1, 2, 3, 4, 5, 6, 7, 33, 34, 35, 36, 37, 38, 39];

const OS = "<os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>";
export const vnfXml = (body: string, name = 'vnf'): string => `<domain type='kvm'><name>${name}</name><memory unit='GiB'>4</memory>${body}${OS}</domain>`;

/** 4 vCPUs on 2 MiB pages, placed automatically. */
export const VNF_ASKED = vnfXml("<vcpu placement='auto'>4</vcpu><numatune><memory mode='strict' placement='auto'/></numatune>" +
  "<memoryBacking><hugepages/></memoryBacking><cpu mode='host-passthrough'/>");

/** The same VNF as an expert pins it by hand on node 2. */
export const VNF_EXPERT = vnfXml(`
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
