import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isVirtkitError } from '../../errors.js';
import { parseDomainXml, prepareDomain } from '../../xml/domain/index.js';
import { testArgvCaps } from '../../../../tests/helpers/argv-caps.js';
import { buildNetParts, buildQemuArgv } from './index.js';
import type { RuntimePaths } from './types.js';

const paths: RuntimePaths = { libDir: '/run/vk/dom', monitor: { path: '/run/vk/dom/monitor.sock' }, hugepages: [{ dir: '/dev/hugepages', sizeKiB: 2048, default: true }] };

let seed = 7;
const random = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff);

const MEMFD = "<memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>";

function domain(devices: string, extra = MEMFD, cpu = '', type = 'kvm'): ReturnType<typeof prepareDomain> {
  const xml = `<domain type='${type}'><name>t</name><memory>65536</memory>${extra}${cpu}<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>${devices}</devices></domain>`;
  return prepareDomain(parseDomainXml(xml), { random });
}

const VHU = (path: string, mode: string, more = ''): string =>
  `<interface type='vhostuser'><mac address='52:54:00:ee:96:6b'/><source type='unix' path='${path}' mode='${mode}'/><model type='virtio'/>${more}</interface>`;

/** The option values that follow `flag` in argv, in order. */
function values(args: readonly string[], flag: string): string[] {
  return args.flatMap((a, i) => (i > 0 && args[i - 1] === flag ? [a] : []));
}

function failure(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    if (isVirtkitError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('did not throw');
}

test("vhostuser mode='server' and mode='client': libvirt's chardev, then the vhost-user netdev and the virtio NIC", () => {
  const a = buildQemuArgv(domain(VHU('/tmp/vhost0.sock', 'server') + VHU('/tmp/vhost1.sock', 'client').replace('96:6b', '96:6c')), testArgvCaps(), paths).args;
  assert.deepEqual(values(a, '-chardev').slice(1), [
    'socket,id=charnet0,path=/tmp/vhost0.sock,server=on,wait=off',
    'socket,id=charnet1,path=/tmp/vhost1.sock',
  ]);
  assert.deepEqual(values(a, '-netdev'), ['{"type":"vhost-user","chardev":"charnet0","id":"hostnet0"}', '{"type":"vhost-user","chardev":"charnet1","id":"hostnet1"}']);
  const dev = JSON.parse(values(a, '-device').find((d) => d.includes('"net0"')) ?? '{}') as Record<string, unknown>;
  assert.equal(dev.driver, 'virtio-net-pci');
  assert.equal(dev.netdev, 'hostnet0');
  assert.equal(dev.mac, '52:54:00:ee:96:6b');
  // Each chardev comes right before its netdev.
  assert.equal(a[a.indexOf('{"type":"vhost-user","chardev":"charnet1","id":"hostnet1"}') - 2], 'socket,id=charnet1,path=/tmp/vhost1.sock');
});

test('vhostuser with <driver queues> gets queues on the netdev, mq and vectors on the NIC, and the queue sizes', () => {
  const p = buildNetParts(domain(VHU('/tmp/v.sock', 'client', "<driver queues='4' rx_queue_size='512' tx_queue_size='512'/>")), testArgvCaps(), 'net0');
  assert.deepEqual(p.netdev, { type: 'vhost-user', chardev: 'charnet0', queues: 4, id: 'hostnet0' });
  assert.equal(p.device.mq, true);
  assert.equal(p.device.vectors, 10);
  assert.equal(p.device.rx_queue_size, 512);
  assert.equal(p.device.tx_queue_size, 512);
  assert.equal(p.chardev, 'socket,id=charnet0,path=/tmp/v.sock');
  // The same socket for hotplug's chardev-add; QEMU listens without waiting in server mode.
  assert.deepEqual(p.chardevAdd, { id: 'charnet0', backend: { type: 'socket', data: { addr: { type: 'unix', data: { path: '/tmp/v.sock' } }, server: false } } });
  const server = buildNetParts(domain(VHU('/tmp/s.sock', 'server')), testArgvCaps(), 'net0');
  assert.deepEqual(server.chardevAdd, { id: 'charnet0', backend: { type: 'socket', data: { addr: { type: 'unix', data: { path: '/tmp/s.sock' } }, server: true, wait: false } } });
});

test("under TCG (type='qemu') the vhost-user NIC gets vectors=0: QEMU 7.2 starts vhost-user without KVM only on INTx", () => {
  const tcg = buildNetParts(domain(VHU('/tmp/v.sock', 'client', "<driver queues='2'/>"), MEMFD, '', 'qemu'), testArgvCaps(), 'net0');
  assert.equal(tcg.device.vectors, 0);
  assert.equal(tcg.device.mq, true);
  const kvm = buildNetParts(domain(VHU('/tmp/v.sock', 'client')), testArgvCaps(), 'net0');
  assert.equal(kvm.device.vectors, undefined);
  const tap = buildNetParts(domain("<interface type='user'><mac address='52:54:00:ee:96:6b'/><model type='virtio'/></interface>", '', '', 'qemu'), testArgvCaps(), 'net0');
  assert.equal(tap.device.vectors, undefined);
});

test('a comma in the socket path cannot add chardev options', () => {
  const p = buildNetParts(domain(VHU('/tmp/a,server=on', 'client')), testArgvCaps(), 'net0');
  assert.equal(p.chardev, 'socket,id=charnet0,path=/tmp/a,,server=on');
});

test('memfd with shared access is memory-backend-memfd,share=on; hugepages are memory-backend-file with share=on', () => {
  const m = buildQemuArgv(domain(VHU('/tmp/v.sock', 'client')), testArgvCaps(), paths).args;
  assert.ok(values(m, '-object').some((o) => o.includes('"qom-type":"memory-backend-memfd"') && o.includes('"share":true')), values(m, '-object').join(' '));
  const h = buildQemuArgv(domain(VHU('/tmp/v.sock', 'client'), "<memoryBacking><hugepages/><access mode='shared'/></memoryBacking>"), testArgvCaps(), paths).args;
  const ram = values(h, '-object').find((o) => o.includes('"id":"pc.ram"')) ?? '';
  assert.match(ram, /"qom-type":"memory-backend-file".*"mem-path":"\/dev\/hugepages".*"share":true/);
});

test('per-cell memAccess=shared shares each cell (and private says share=off)', () => {
  const cpu = "<cpu><numa><cell id='0' cpus='0' memory='32768' memAccess='shared'/><cell id='1' cpus='1' memory='32768' memAccess='private'/></numa></cpu>";
  const a = buildQemuArgv(domain('', "<memoryBacking><source type='memfd'/></memoryBacking>", cpu), testArgvCaps(), paths).args;
  const objs = values(a, '-object');
  assert.ok(objs.some((o) => o.includes('"id":"ram-node0"') && o.includes('"share":true')), objs.join(' '));
  assert.ok(objs.some((o) => o.includes('"id":"ram-node1"') && o.includes('"share":false')), objs.join(' '));
});

test('vhostuser on unshared memory is refused naming what is not shared', () => {
  const plain = failure(() => buildQemuArgv(domain(VHU('/tmp/v.sock', 'client'), ''), testArgvCaps(), paths));
  assert.equal(plain.code, 'XML_CONFLICT');
  assert.match(plain.message, /vhost-user requires shared memory.*\/domain\/memoryBacking\/access/);
  const cpu = "<cpu><numa><cell id='0' cpus='0' memory='32768' memAccess='shared'/><cell id='1' cpus='1' memory='32768'/></numa></cpu>";
  const cell = failure(() => buildQemuArgv(domain(VHU('/tmp/v.sock', 'client'), "<memoryBacking><source type='memfd'/></memoryBacking>", cpu), testArgvCaps(), paths));
  assert.match(cell.message, /cell\[2\]\/@memAccess/);
  assert.doesNotMatch(cell.message, /cell\[1\]/);
});

test('shared access without memfd or hugepages is refused rather than silently unshared', () => {
  const f = failure(() => buildQemuArgv(domain('', "<memoryBacking><access mode='shared'/></memoryBacking>"), testArgvCaps(), paths));
  assert.equal(f.code, 'QEMU_UNSUPPORTED');
  assert.match(f.message, /\/domain\/memoryBacking\/access: shared memory needs a file behind it/);
});

test('vhostuser refuses a missing socket path, a non-virtio model and a tap mode', () => {
  assert.equal(failure(() => buildQemuArgv(domain("<interface type='vhostuser'><source type='unix' mode='client'/></interface>"), testArgvCaps(), paths)).code, 'XML_MISSING');
  assert.match(failure(() => buildQemuArgv(domain(VHU('/tmp/v.sock', 'client').replace("'virtio'", "'e1000'")), testArgvCaps(), paths)).message, /needs a virtio NIC/);
  assert.equal(failure(() => buildQemuArgv(domain(VHU('/tmp/v.sock', 'bridge')), testArgvCaps(), paths)).code, 'XML_CONFLICT');
});
