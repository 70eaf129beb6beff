// Three libvirt settings users write: a disk's per-queue IOThread mapping
// (refused by a QEMU without iothread-vq-mapping, emitted by one with it),
// discard='ignore' on a read-only CD-ROM file node, and the port/chassis of
// an ioh3420 root port. Against the captured QEMU 7.2 capabilities.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { qemu72Caps } from '../../../../tests/golden/caps.js';
import { isVirtkitError } from '../../errors.js';
import { parseDomainXml, prepareDomain, validateDomain } from '../../xml/domain/index.js';
import { capsView, type ArgvCaps } from './caps-view.js';
import { buildQemuArgv } from './index.js';
import type { RuntimePaths } from './types.js';

const caps72 = capsView(qemu72Caps());
const paths: RuntimePaths = { libDir: '/run/vk/dom', monitor: { path: '/run/vk/dom/monitor.sock' } };
const random = (n: number): Uint8Array => new Uint8Array(n).fill(7);

function domain(devices: string, machine = 'pc', extra = ''): ReturnType<typeof prepareDomain> {
  const def = parseDomainXml(`<domain type='qemu'><name>t</name><memory>65536</memory>${extra}
    <os><type arch='x86_64' machine='${machine}'>hvm</type></os><devices>${devices}</devices></domain>`);
  validateDomain(def);
  return prepareDomain(def, { random });
}

const objects = (args: string[], opt: string): Record<string, unknown>[] =>
  args.flatMap((a, i) => (args[i - 1] === opt && a.startsWith('{') ? [JSON.parse(a) as Record<string, unknown>] : []));

const MAPPED = `<disk type='file' device='disk'><driver name='qemu' type='raw' queues='3'><iothreads>
    <iothread id='2'><queue id='1'/></iothread><iothread id='3'><queue id='0'/><queue id='2'/></iothread>
  </iothreads></driver><source file='/i.img'/><target dev='vda' bus='virtio'/></disk>`;

test('<driver><iothreads>: QEMU 7.2 lacks iothread-vq-mapping, so the builder refuses it, naming the element and why', () => {
  const def = domain(MAPPED, 'pc', '<iothreads>3</iothreads>');
  assert.throws(() => buildQemuArgv(def, caps72, paths), (e: unknown) => {
    assert.ok(isVirtkitError(e));
    assert.equal(e.code, 'QEMU_UNSUPPORTED');
    assert.match(e.message, /^\/domain\/devices\/disk\[target\/@dev='vda'\]\/driver\/iothreads: .*'iothread-vq-mapping' property \(QEMU 9\.0 or later\), which QEMU 7\.2\.\d+ lacks; use <driver iothread='N'>/);
    return true;
  });
});

test('<driver><iothreads>: a QEMU with the property gets libvirt\'s iothread-vq-mapping list', () => {
  const with90: ArgvCaps = { ...caps72, deviceHasProp: (t, p) => (t === 'virtio-blk-pci' && p === 'iothread-vq-mapping' ? true : caps72.deviceHasProp(t, p)) };
  const args = buildQemuArgv(domain(MAPPED, 'pc', '<iothreads>3</iothreads>'), with90, paths).args;
  const dev = objects(args, '-device').find((o) => o.driver === 'virtio-blk-pci');
  assert.deepEqual(dev?.['iothread-vq-mapping'], [{ iothread: 'iothread2', vqs: [1] }, { iothread: 'iothread3', vqs: [0, 2] }]);
  assert.equal(dev?.['num-queues'], 3);
  assert.equal(dev?.iothread, undefined);
  const spread = domain(`<disk type='file' device='disk'><driver name='qemu' type='raw'><iothreads><iothread id='1'/><iothread id='2'/></iothreads></driver>
    <source file='/i.img'/><target dev='vda' bus='virtio'/></disk>`, 'pc', '<iothreads>2</iothreads>');
  const d2 = objects(buildQemuArgv(spread, with90, paths).args, '-device').find((o) => o.driver === 'virtio-blk-pci');
  assert.deepEqual(d2?.['iothread-vq-mapping'], [{ iothread: 'iothread1' }, { iothread: 'iothread2' }]);
});

test("discard='ignore' (and 'unmap') stay on read-only CD-ROM file nodes and on format nodes", () => {
  const args = buildQemuArgv(domain(`
    <disk type='file' device='cdrom'><driver name='qemu' type='raw' discard='ignore'/><source file='/a.iso'/><target dev='hdc' bus='ide'/><readonly/></disk>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2' discard='ignore'/><source file='/b.qcow2'/><target dev='hda' bus='ide'/></disk>`), caps72, paths).args;
  const nodes = objects(args, '-blockdev');
  const iso = nodes.find((o) => o.filename === '/a.iso');
  assert.deepEqual([iso?.['read-only'], iso?.discard], [true, 'ignore']);
  const fmt = nodes.find((o) => o.driver === 'qcow2');
  assert.equal(fmt?.discard, 'ignore');
});

test("the user's port and chassis reach ioh3420 and pcie-root-port devices", () => {
  const args = buildQemuArgv(domain(`
    <controller type='pci' index='0' model='pcie-root'/>
    <controller type='pci' index='1' model='pcie-root-port'><model name='ioh3420'/><target chassis='5' port='0x10'/></controller>
    <controller type='pci' index='2' model='pcie-root-port'><model name='pcie-root-port'/><target chassis='6' port='0x11'/></controller>`, 'q35'), caps72, paths).args;
  const ports = objects(args, '-device').filter((o) => o.driver === 'ioh3420' || o.driver === 'pcie-root-port').slice(0, 2);
  assert.deepEqual(ports.map((o) => [o.driver, o.chassis, o.port]), [['ioh3420', 5, 16], ['pcie-root-port', 6, 17]]);
});
