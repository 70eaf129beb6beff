// The made-up run-time values of domxml-to-native: tap placeholders (vhost for
// virtio unless driver name='qemu', one per queue), autoports from 5900, the
// host's hugetlbfs mount or the usual default per size, all host NUMA nodes,
// CD-ROM drives by their kernel/udev names.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { parseDomainXml, prepareDomain } from '../../core/xml/domain/index.js';
import type { HostMemoryFacts } from '../../host/memory-facts.js';
import { nodeset, pretendRuntimePaths } from './pretend-paths.js';

const host: HostMemoryFacts = { defaultHugepageKiB: 2048, hugetlbfs: [{ sizeKiB: 1048576, path: '/mnt/h1g' }], numaNodes: [0, 1, 2, 5] };

function def(memoryBacking: string, devices: string) {
  const xml = `<domain type='qemu'><name>a-domain-name-longer-than-20</name><memory unit='MiB'>2048</memory><vcpu>1</vcpu>
    <os><type arch='x86_64' machine='pc'>hvm</type></os>${memoryBacking}<devices>${devices}</devices></domain>`;
  return prepareDomain(parseDomainXml(xml), { random: (n) => randomBytes(n) });
}

test('taps, ports, cdroms and the nodeset of a pretend run', () => {
  const d = def('', `
    <interface type='ethernet'><model type='rtl8139'/></interface>
    <interface type='network'><source network='nowhere'/><model type='virtio'/><driver queues='2'/></interface>
    <interface type='bridge'><source bridge='br0'/><model type='virtio'/><driver name='qemu'/></interface>
    <interface type='user'/>
    <interface type='direct'><source dev='eth0' mode='bridge'/><model type='virtio'/></interface>
    <graphics type='vnc' autoport='yes'/><graphics type='vnc' port='5905' autoport='no'/><graphics type='vnc' port='-1'/>
    <disk type='block' device='cdrom'><source dev='/dev/sr0'/><target dev='hdc' bus='ide'/></disk>
    <disk type='block' device='cdrom'><source dev='/dev/vg/iso'/><target dev='hdd' bus='ide'/></disk>`);
  const p = pretendRuntimePaths(d, host);
  assert.deepEqual(p.taps, {
    net0: { fds: ['@tapfd-net0@'] },
    net1: { fds: ['@tapfd-net1-0@', '@tapfd-net1-1@'], vhostfds: ['@vhostfd-net1-0@', '@vhostfd-net1-1@'] },
    net2: { fds: ['@tapfd-net2@'] },
    net4: { fds: ['@tapfd-net4@'] }, // a macvtap: its fd without vhost, as at start
  });
  assert.deepEqual(p.graphicsPorts, [5900, 5905, 5901]);
  assert.deepEqual(p.hostCdroms, ['/dev/sr0']);
  assert.equal(p.autoNodeset, '0-2,5');
  assert.equal(p.hugepages, undefined, 'no hugepages asked for');
  assert.deepEqual(pretendRuntimePaths(d, host), p, 'the same every time');
});

test('hugepages: the host mount for a size (not one virtkit made), else /dev/hugepages (default size) or /dev/hugepages<SIZE>', () => {
  const d = def(`<memoryBacking><hugepages><page size='1' unit='GiB' nodeset='0'/><page size='64' unit='MiB'/></hugepages></memoryBacking>`, '');
  assert.deepEqual(pretendRuntimePaths(d, host).hugepages, [
    { sizeKiB: 2048, dir: '/dev/hugepages/libvirt/qemu/-1-a-domain-name-longer', default: true },
    { sizeKiB: 1048576, dir: '/mnt/h1g/libvirt/qemu/-1-a-domain-name-longer' },
    { sizeKiB: 65536, dir: '/dev/hugepages64M/libvirt/qemu/-1-a-domain-name-longer' },
  ]);
  const withOwn = { ...host, hugetlbfs: [{ sizeKiB: 2048, path: '/run/virtkit/hugepages-2048kB', virtkit: true as const }, ...host.hugetlbfs] };
  assert.equal(pretendRuntimePaths(d, withOwn).hugepages?.[0]?.dir, '/dev/hugepages/libvirt/qemu/-1-a-domain-name-longer', "not the mount virtkit made");
  assert.equal(nodeset([3, 1, 0, 1]), '0-1,3');
});
