import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../tests/helpers/paths.js';
import {
  defaultMachine, deviceProps, formatQemuVersion, hasAccel, hasCpuModel, hasDevice, hasDeviceProp, hasMachine,
  hasObject, hasQmpCommand, isI440fx, isQ35, parseQemuCaps, resolveMachine, versionAtLeast,
} from './caps.js';
import type { QemuCaps } from './caps.js';
import { buildQemuCaps, schemaEnum } from './caps-build.js';
import type { CapsReplies } from './caps-build.js';

const FIXTURE = join(repoRoot, 'tests', 'fixtures', 'qemu-caps', 'qemu-7.2.json');
const raw = (): unknown => JSON.parse(readFileSync(FIXTURE, 'utf8'));
const caps: QemuCaps = parseQemuCaps(raw());

test('fixture: QEMU 7.2 from Debian 12', () => {
  assert.equal(formatQemuVersion(caps).slice(0, 4), '7.2.');
  assert.match(caps.package, /^Debian 1:7\.2/);
  assert.ok(versionAtLeast(caps, 7, 2));
  assert.ok(versionAtLeast(caps, 6, 2, 99));
  assert.equal(versionAtLeast(caps, 7, 3), false);
  assert.equal(versionAtLeast(caps, 8), false);
  assert.deepEqual(caps.accelerators, ['kvm', 'tcg']);
  assert.ok(hasAccel(caps, 'tcg'));
  assert.equal(hasAccel(caps, 'hvf'), false);
});

test('fixture: machine aliases resolve; pc is i440fx and the default, q35 is Q35', () => {
  assert.equal(resolveMachine(caps, 'pc'), 'pc-i440fx-7.2');
  assert.equal(resolveMachine(caps, 'q35'), 'pc-q35-7.2');
  assert.equal(resolveMachine(caps, 'pc-q35-6.2'), 'pc-q35-6.2');
  assert.equal(resolveMachine(caps, 'pc-q35-9.9'), undefined);
  assert.equal(defaultMachine(caps)?.name, 'pc-i440fx-7.2');
  assert.ok(isQ35(caps, 'q35') && isQ35(caps, 'pc-q35-7.1'));
  assert.equal(isQ35(caps, 'pc'), false);
  assert.ok(isI440fx(caps, 'pc') && isI440fx(caps, 'pc-i440fx-7.2'));
  assert.equal(isI440fx(caps, 'q35'), false);
  assert.ok(hasMachine(caps, 'none') && hasMachine(caps, 'microvm'));
  assert.equal(caps.machines.find((m) => m.name === 'pc-q35-7.2')?.cpuMax, 288);
});

test('fixture: devices, their properties, objects, CPU models', () => {
  for (const d of ['virtio-blk-pci', 'virtio-net-pci', 'qxl-vga', 'pcie-root-port', 'qemu-xhci', 'ICH9-LPC', 'PIIX4_PM', 'isa-fdc', 'vfio-pci', 'usb-host']) {
    assert.ok(hasDevice(caps, d), d);
  }
  // -device accepts 'lsi' as an alias, but the QOM type is lsi53c895a.
  assert.equal(hasDevice(caps, 'lsi'), false);
  assert.ok(hasDevice(caps, 'lsi53c895a'));
  assert.equal(hasDeviceProp(caps, 'virtio-blk-pci', 'num-queues'), true);
  assert.equal(hasDeviceProp(caps, 'virtio-blk-pci', 'no-such-prop'), false);
  assert.equal(hasDeviceProp(caps, 'e1000-82544gc', 'mac'), undefined, 'properties not probed: unknown');
  assert.equal(deviceProps(caps, 'virtio-net-pci')?.['mac'], 'str');
  assert.equal(hasDeviceProp(caps, 'usb-host', 'guest-resets-all'), true);
  assert.ok(hasObject(caps, 'rng-random') && hasObject(caps, 'memory-backend-file') && hasObject(caps, 'iothread'));
  assert.ok(hasCpuModel(caps, 'qemu64') && hasCpuModel(caps, 'max') && hasCpuModel(caps, 'host'));
  assert.equal(caps.cpuModels.find((c) => c.name === 'Skylake-Client')?.aliasOf, 'Skylake-Client-v1');
});

test('fixture: QMP schema summary', () => {
  assert.equal(hasQmpCommand(caps, 'query-accelerators'), false, 'added in QEMU 8.2');
  assert.ok(hasQmpCommand(caps, 'query-cpus-fast') && hasQmpCommand(caps, 'blockdev-add'));
  assert.ok(caps.qmp.events.includes('BALLOON_CHANGE'));
  for (const d of ['file', 'qcow2', 'raw', 'host_device', 'nbd']) assert.ok(caps.qmp.blockdevDrivers.includes(d), d);
  for (const t of ['tap', 'user', 'bridge', 'vhost-user']) assert.ok(caps.qmp.netdevTypes.includes(t), t);
  for (const b of ['socket', 'pty', 'file', 'null']) assert.ok(caps.qmp.chardevBackends.includes(b), b);
});

test('fixture is in canonical form: sorted, as buildQemuCaps writes it', () => {
  const isSorted = (xs: readonly string[]) => xs.every((x, i) => i === 0 || (xs[i - 1] ?? '') < x);
  assert.ok(isSorted(caps.devices) && isSorted(caps.objects) && isSorted(caps.qmp.commands));
  assert.ok(isSorted(caps.machines.map((m) => m.name)) && isSorted(caps.cpuModels.map((c) => c.name)));
  assert.ok(isSorted(Object.keys(caps.deviceProps)));
});

test('parseQemuCaps refuses a damaged or foreign record, naming the field', () => {
  const base = raw() as Record<string, unknown>;
  assert.throws(() => parseQemuCaps({ ...base, format: 0 }), /format/);
  assert.throws(() => parseQemuCaps({ ...base, devices: 'virtio-blk-pci' }), /at devices/);
  assert.throws(() => parseQemuCaps({ ...base, extra: 1 }), (e: unknown) => e instanceof Error && /extra/.test(e.message));
  const { machines: _m, ...noMachines } = base;
  assert.throws(() => parseQemuCaps(noMachines), /machines/);
  assert.throws(() => parseQemuCaps(null), /QEMU capabilities/);
});

test('buildQemuCaps: accelerators from QOM types, schema enums followed through members', () => {
  const replies: CapsReplies = {
    binary: '/q',
    version: { qemu: { major: 7, minor: 2, micro: 1 }, package: ' pkg ' },
    machines: [
      { name: 'pc-q35-7.2', alias: 'q35', 'cpu-max': 288, 'hotpluggable-cpus': true, 'numa-mem-supported': false, deprecated: false },
      { name: 'pc-i440fx-7.2', alias: 'pc', 'is-default': true, 'cpu-max': 255, 'hotpluggable-cpus': true, 'numa-mem-supported': false, deprecated: false },
    ],
    cpuDefinitions: [
      { name: 'max', typename: 'max-x86_64-cpu', 'unavailable-features': [], static: false, deprecated: false },
      { name: 'qemu64', typename: 'qemu64-x86_64-cpu', 'alias-of': 'qemu64-v1', static: false, deprecated: false },
    ],
    cpuExpansions: { max: { model: { name: 'base', props: { vendor: 'AuthenticAMD', sse: true, avx: false, 'model-id': 'x', lm: true } } } },
    deviceTypes: [{ name: 'virtio-blk-pci' }, { name: 'e1000' }],
    accelTypes: [{ name: 'tcg-accel', parent: 'accel' }, { name: 'accel', parent: 'object' }],
    objectTypes: [{ name: 'iothread' }],
    deviceProps: { e1000: [{ name: 'mac', type: 'str' }, { name: 'addr', type: 'int32' }] },
    schema: [
      { name: 'blockdev-add', 'meta-type': 'command', 'arg-type': '10' },
      { name: '10', 'meta-type': 'object', members: [{ name: 'driver', type: '11' }] },
      { name: '11', 'meta-type': 'enum', values: ['raw', 'file'] },
      { name: 'chardev-add', 'meta-type': 'command', 'arg-type': '20' },
      { name: '20', 'meta-type': 'object', members: [{ name: 'backend', type: '21' }] },
      { name: '21', 'meta-type': 'object', members: [{ name: 'type', type: '22' }] },
      { name: '22', 'meta-type': 'enum', values: ['pty'] },
      { name: 'STOP', 'meta-type': 'event', 'arg-type': '0' },
    ],
  };
  const built = buildQemuCaps(replies);
  assert.deepEqual(built.accelerators, ['tcg']);
  assert.equal(built.package, 'pkg');
  assert.deepEqual(built.machines.map((m) => [m.name, m.isDefault]), [['pc-i440fx-7.2', true], ['pc-q35-7.2', false]]);
  assert.deepEqual(built.cpuModels, [
    { name: 'max', typename: 'max-x86_64-cpu', deprecated: false, vendor: 'AuthenticAMD', features: ['lm', 'sse'] },
    { name: 'qemu64', typename: 'qemu64-x86_64-cpu', aliasOf: 'qemu64-v1', deprecated: false },
  ]);
  assert.deepEqual(built.cpuFeatures, ['avx', 'lm', 'sse'], 'every boolean property, on or off; not vendor or model-id');
  assert.deepEqual(built.devices, ['e1000', 'virtio-blk-pci']);
  assert.deepEqual(Object.keys(built.deviceProps['e1000'] ?? {}), ['addr', 'mac']);
  assert.deepEqual(built.qmp, { commands: ['blockdev-add', 'chardev-add'], events: ['STOP'], blockdevDrivers: ['file', 'raw'], netdevTypes: [], chardevBackends: ['pty'] });
  assert.deepEqual(schemaEnum(replies.schema, 'no-such-command', ['x']), []);
  assert.deepEqual(parseQemuCaps(JSON.parse(JSON.stringify(built))), built, 'round-trips through JSON');
});
