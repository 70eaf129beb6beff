import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/paths.js';
import { VirtkitError } from '../../../src/core/errors.js';
import { parseQemuCaps } from '../../../src/core/qemu/caps.js';
import type { QemuCaps } from '../../../src/core/qemu/caps.js';
import { describeMissing, diffCapsByModules, parseQemuModuleMap } from '../../helpers/caps-modules.js';

const read = (name: string): unknown => JSON.parse(readFileSync(join(repoRoot, 'tests', 'fixtures', 'qemu-caps', name), 'utf8'));
const caps = parseQemuCaps(read('qemu-7.2.json'));
const rawMap = read('qemu-7.2.modules.json');
const map = parseQemuModuleMap(rawMap);
const allFiles = new Set(Object.keys(map.modules));
const without = (c: QemuCaps, devices: readonly string[], objects: readonly string[] = []): QemuCaps =>
  ({ ...c, devices: c.devices.filter((d) => !devices.includes(d)), objects: c.objects.filter((o) => !objects.includes(o)) });

test('module map fixture: the same build as the caps fixture, and every type it attributes is in the caps fixture', () => {
  assert.equal(map.binary, caps.binary);
  assert.equal(map.package, caps.package);
  for (const [file, m] of Object.entries(map.modules)) {
    for (const d of m.devices) assert.ok(caps.devices.includes(d), `${file}: device ${d}`);
    for (const o of m.objects) assert.ok(caps.objects.includes(o), `${file}: object ${o}`);
  }
  assert.deepEqual(map.modules['hw-display-virtio-gpu-gl.so'], { package: 'qemu-system-gui', devices: ['virtio-gpu-gl-device'], objects: [] });
  assert.match(map.modules['accel-tcg-x86_64.so']?.probeFailsWithout ?? '', /tcg/);
});

test('diffCapsByModules: a type missing with its module file absent is explained, and named', () => {
  const probed = without(caps, ['virtio-gpu-gl-device']);
  const present = new Set([...allFiles].filter((f) => f !== 'hw-display-virtio-gpu-gl.so'));
  const diff = diffCapsByModules(caps, probed, map, present);
  assert.deepEqual(diff.unexplained, []);
  assert.deepEqual(diff.extra, []);
  assert.deepEqual(diff.explained.map(describeMissing),
    ['virtio-gpu-gl-device (device): provided by hw-display-virtio-gpu-gl.so (package qemu-system-gui), absent here']);
});

test('diffCapsByModules: missing with every provider present, or with none, is unexplained; more than the reference is extra', () => {
  const probed = { ...without(caps, ['usb-host', 'e1000'], ['dbus-display']), devices: [...without(caps, ['usb-host', 'e1000']).devices, 'new-device'] };
  const diff = diffCapsByModules(caps, probed, map, allFiles);
  assert.deepEqual(diff.explained, []);
  assert.deepEqual(diff.unexplained.map(describeMissing), [
    'e1000 (device): no module provides it',
    'usb-host (device): provided by hw-usb-host.so (package qemu-system-common), present here',
    'dbus-display (object): provided by ui-dbus.so (package qemu-system-common), ui-opengl.so (package qemu-system-common), present here',
  ]);
  assert.deepEqual(diff.extra, [{ kind: 'device', type: 'new-device' }]);
});

test('diffCapsByModules: a type two module files provide is explained when either is absent', () => {
  const probed = without(caps, ['qxl', 'qxl-vga']);
  const diff = diffCapsByModules(caps, probed, map, new Set([...allFiles].filter((f) => f !== 'ui-opengl.so')));
  assert.deepEqual(diff.explained.map((m) => [m.type, m.providers.filter((p) => !p.present).map((p) => p.file)]),
    [['qxl', ['ui-opengl.so']], ['qxl-vga', ['ui-opengl.so']]]);
});

test('parseQemuModuleMap refuses an unknown key, naming where', () => {
  const bad = JSON.parse(JSON.stringify(rawMap)) as { modules: Record<string, Record<string, unknown>> };
  const usb = bad.modules['hw-usb-host.so'];
  assert.ok(usb !== undefined);
  usb['provides'] = [];
  assert.throws(() => parseQemuModuleMap(bad),
    (e: unknown) => e instanceof VirtkitError && e.code === 'INVALID_ARGUMENT' && e.message.includes('hw-usb-host.so'));
});
