import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DomStats } from '../../client/types.js';
import { diskRows, interfaceRows } from './device-lists.js';
import { domstatsLines } from './domstats.js';
import { domainXmlProblems } from './validate.js';

const running: DomStats = {
  name: 'vm1', state: 'running', reason: 'booted', stateCode: 1, reasonCode: 1, vcpuCurrent: 1, vcpuMaximum: 2,
  running: {
    cpuTimeNs: 30, cpuUserNs: 20, cpuSystemNs: 10, balloon: { currentKiB: 1024, maximumKiB: 2048 },
    vcpus: [{ vcpu: 0, state: 'running', cpuTimeNs: 7 }],
    block: [{ name: 'vda', path: null, rdReqs: 1, rdBytes: 2, wrReqs: 3, wrBytes: 4, flReqs: 5, rdTimesNs: 6, wrTimesNs: 7, flTimesNs: 8 }],
    net: [],
  },
};

test('domstats lines: libvirt group order; a group flag picks; a disk without source has no path line', () => {
  const all = domstatsLines(running, new Set(['state', 'cpu', 'balloon', 'vcpu', 'net', 'block']));
  assert.deepEqual(all, [
    "Domain: 'vm1'", '  state.state=1', '  state.reason=1', '  cpu.time=30', '  cpu.user=20', '  cpu.system=10',
    '  balloon.current=1024', '  balloon.maximum=2048', '  vcpu.current=1', '  vcpu.maximum=2', '  vcpu.0.state=1', '  vcpu.0.time=7',
    '  net.count=0', '  block.count=1', '  block.0.name=vda', '  block.0.rd.reqs=1', '  block.0.rd.bytes=2', '  block.0.rd.times=6',
    '  block.0.wr.reqs=3', '  block.0.wr.bytes=4', '  block.0.wr.times=7', '  block.0.fl.reqs=5', '  block.0.fl.times=8',
  ]);
  assert.deepEqual(domstatsLines({ ...running, running: null, stateCode: 5, reasonCode: 2 }, new Set(['state', 'cpu', 'block'])),
    ["Domain: 'vm1'", '  state.state=5', '  state.reason=2']);
});

test('domblklist and domiflist rows from the XML', () => {
  const xml = `<domain type='qemu'><name>x</name><memory>1024</memory><devices>
    <disk type='block' device='lun'><source dev='/dev/sdb'/><target dev='sda' bus='scsi'/></disk>
    <interface type='bridge'><source bridge='br0'/><target dev='vnet3'/><mac address='52:54:00:aa:bb:cc'/></interface></devices></domain>`;
  assert.deepEqual(diskRows(xml), [{ type: 'block', device: 'lun', target: 'sda', source: '/dev/sdb' }]);
  assert.deepEqual(interfaceRows(xml), [{ interface: 'vnet3', type: 'bridge', source: 'br0', model: '-', mac: '52:54:00:aa:bb:cc' }]);
});

test('validate: each problem with its path, the path not repeated in the message', () => {
  const p = domainXmlProblems("<domain type='qemu'><name>x</name><memory unit='XB'>1</memory><zzz/></domain>");
  assert.deepEqual(p.map((x) => [x.code, x.path]), [['XML_UNSUPPORTED', '/domain/zzz'], ['XML_INVALID_UNIT', '/domain/memory/@unit']]);
  assert.ok(p.every((x) => !x.message.startsWith('/domain')));
  const malformed = domainXmlProblems('<domain');
  assert.deepEqual(malformed.map((x) => [x.code, x.path]), [['INVALID_XML', '/']]);
  assert.match(malformed[0]?.message ?? '', /not well-formed: 1:7:/);
});
