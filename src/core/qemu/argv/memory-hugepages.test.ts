import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDomainXml, prepareDomain } from '../../xml/domain/index.js';
import { testArgvCaps } from '../../../../tests/helpers/argv-caps.js';
import { buildQemuArgv } from './index.js';
import type { RuntimePaths } from './types.js';

// libvirt's test mounts: 2 MiB pages (the default size) and 1 GiB pages.
const paths: RuntimePaths = {
  libDir: '/run/vk/dom', monitor: { path: '/run/vk/dom/monitor.sock' },
  hugepages: [{ dir: '/dev/hugepages2M/vk', sizeKiB: 2048, default: true }, { dir: '/dev/hugepages1G/vk', sizeKiB: 1048576 }],
};

/** The -object JSON of each guest cell's memory backend, by cell id. */
function cellBackends(hugepages: string): Record<string, unknown>[] {
  const xml = "<domain type='qemu'><name>t</name><memory>1048576</memory><vcpu>2</vcpu>" +
    `<memoryBacking><hugepages>${hugepages}</hugepages></memoryBacking><os><type arch='x86_64' machine='pc'>hvm</type></os>` +
    "<cpu><numa><cell id='0' cpus='0' memory='262144'/><cell id='1' cpus='1' memory='786432'/></numa></cpu><devices/></domain>";
  const args = buildQemuArgv(prepareDomain(parseDomainXml(xml), { random: (n) => new Uint8Array(n) }), testArgvCaps(), paths).args;
  const objs = args.flatMap((a, i) => (args[i - 1] === '-object' ? [JSON.parse(a) as Record<string, unknown>] : []));
  return [0, 1].map((id) => objs.find((o) => o.id === `ram-node${id}`) ?? {});
}

test('a cell no <page nodeset> covers gets memory-backend-ram (libvirt hugepages-numa-nodeset-part)', () => {
  assert.deepEqual(cellBackends("<page size='1048576' unit='KiB' nodeset='1'/>"), [
    { 'qom-type': 'memory-backend-ram', id: 'ram-node0', size: 268435456 },
    { 'qom-type': 'memory-backend-file', id: 'ram-node1', 'mem-path': '/dev/hugepages1G/vk', prealloc: true, size: 805306368 },
  ]);
});

test('a <page> without nodeset backs the cells the others leave, whatever the order; <hugepages/> alone is the default size', () => {
  const pathOf = (o: Record<string, unknown>): unknown => o['mem-path'];
  for (const pages of ["<page size='2048' unit='KiB'/><page size='1048576' unit='KiB' nodeset='1'/>", "<page size='1048576' unit='KiB' nodeset='1'/><page size='2048' unit='KiB'/>"]) {
    assert.deepEqual(cellBackends(pages).map(pathOf), ['/dev/hugepages2M/vk', '/dev/hugepages1G/vk'], pages);
  }
  assert.deepEqual(cellBackends('').map(pathOf), ['/dev/hugepages2M/vk', '/dev/hugepages2M/vk']);
});
