import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prep } from '../../../../../tests/helpers/domain-defaults.js';

test('graphics without video bring a cirrus video with libvirt defaults', () => {
  const d = prep(`<graphics type='vnc' port='-1'/>`);
  assert.deepEqual(d.devices?.video?.[0]?.model, { type: 'cirrus', vram: 16384, heads: 1, primary: true });
  assert.equal(d.devices?.video?.[0]?.alias?.name, 'video0');
});

test('qxl defaults; the primary video moves first', () => {
  const d = prep(`<video><model type='vga' vram='9000'/></video><video><model type='qxl' primary='yes'/></video>`);
  assert.equal(d.devices?.video?.[1]?.model?.vram, 16384, 'vram rounds up to a power of two');
  assert.deepEqual(d.devices?.video?.[0]?.model, { type: 'qxl', ram: 65536, vram: 65536, vgamem: 16384, heads: 1, primary: true });
  assert.equal(d.devices?.video?.[1]?.model?.type, 'vga');
  assert.equal(d.devices?.video?.[1]?.model?.primary, undefined);
});

test('PS/2 mouse and keyboard, virtio balloon, audio none, rtl8139 model: once each', () => {
  const d = prep(`<input type='mouse'/><interface type='user'/>`);
  assert.deepEqual(d.devices?.input?.map((i) => `${i.type}/${i.bus}`), ['mouse/ps2', 'keyboard/ps2']);
  assert.deepEqual(d.devices?.memballoon?.model, 'virtio');
  assert.deepEqual(d.devices?.audio, [{ id: 1, type: 'none' }]);
  assert.equal(d.devices?.interface?.[0]?.model?.type, 'rtl8139');
  assert.equal(d.devices?.watchdog, undefined);
  const kept = prep(`<memballoon model='none'/><audio id='2' type='pipewire'/>`);
  assert.equal(kept.devices?.memballoon?.model, 'none');
  assert.deepEqual(kept.devices?.audio, [{ id: 2, type: 'pipewire' }]);
});

test('q35 has the iTCO watchdog built in', () => {
  const d = prep('', 'q35');
  assert.deepEqual(d.devices?.watchdog?.map((w) => [w.model, w.action]), [['itco', 'reset']]);
  const one = prep(`<watchdog model='itco' action='poweroff'/>`, 'q35');
  assert.deepEqual(one.devices?.watchdog?.map((w) => [w.model, w.action]), [['itco', 'poweroff']]);
});
