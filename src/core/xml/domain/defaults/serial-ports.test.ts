import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prep, prepFails } from '../../../../../tests/helpers/domain-defaults.js';

test('a serial-type console without <serial> becomes isa-serial port 0 and an alias of it', () => {
  const d = prep(`<console type='pty'/>`);
  const s = d.devices?.serial?.[0];
  assert.equal(s?.type, 'pty');
  assert.deepEqual(s?.target, { type: 'isa-serial', port: 0, model: { name: 'isa-serial' } });
  assert.equal(s?.alias?.name, 'serial0');
  const c = d.devices?.console?.[0];
  assert.deepEqual(c?.target, { type: 'serial', port: 0 });
  assert.equal(c?.alias?.name, 'serial0');
});

test('a console next to an existing serial mirrors serial 0', () => {
  const d = prep(`<serial type='file'><source path='/tmp/s'/></serial><console type='pty'><target type='serial'/></console>`);
  assert.equal(d.devices?.serial?.length, 1);
  assert.equal(d.devices?.console?.[0]?.type, 'file');
  assert.equal(d.devices?.console?.[0]?.source?.[0]?.path, '/tmp/s');
});

test('serial ports: one more than the highest port of any serial (as libvirt); a fifth isa-serial has no port', () => {
  assert.deepEqual(prep(`<serial type='pty'/><serial type='pty'/>`).devices?.serial?.map((s) => s.target?.port), [0, 1]);
  const d = prep(`<serial type='pty'/><serial type='pty'><target port='1'/></serial>`);
  assert.deepEqual(d.devices?.serial?.map((s) => s.target?.port), [2, 1]);
  // Serials written as isa-serial take the lowest free port first (virDomainChrIsaSerialDefPostParse).
  const isa = prep(`<serial type='pty'/><serial type='pty'><target type='isa-serial'/></serial>`);
  assert.deepEqual(isa.devices?.serial?.map((s) => s.target?.port), [1, 0]);
  prepFails(`<serial type='pty'><target port='4'/></serial>`, 'ADDRESS_CONFLICT', /serial\/target: at most 4 ISA serial ports exist/);
  prepFails(`<serial type='pty'><target port='1'/></serial><serial type='pty'><target port='1'/></serial>`, 'ADDRESS_CONFLICT', /serial\[2\].*already used by \/domain\/devices\/serial\[1\]/);
});

test('virtio channels bring a virtio-serial controller; consoles take port 0, channels port 1 up', () => {
  const d = prep(`<console type='pty'><target type='virtio'/></console><channel type='pty'><target type='virtio' name='a'/></channel>
    <channel type='pty'><target type='virtio' name='b'/><address type='virtio-serial' controller='0' bus='0' port='1'/></channel>`);
  assert.equal(d.devices?.controller?.filter((c) => c.type === 'virtio-serial').length, 1);
  assert.deepEqual(d.devices?.console?.[0]?.address, { type: 'virtio-serial', controller: 0, bus: 0, port: 0 });
  assert.equal(d.devices?.console?.[0]?.alias?.name, 'console0');
  assert.deepEqual(d.devices?.channel?.map((c) => c.address?.type === 'virtio-serial' && c.address.port), [2, 1]);
  assert.equal(d.devices?.serial, undefined, 'a virtio console is no serial port');
});

test('a channel addressed to controller 1 without a port gets port 1 there, and the controller', () => {
  const d = prep(`<channel type='pty'><target type='virtio' name='a'/><address type='virtio-serial' controller='1' bus='0'/></channel>`);
  assert.deepEqual(d.devices?.controller?.filter((c) => c.type === 'virtio-serial').map((c) => c.index), [1]);
  assert.deepEqual(d.devices?.channel?.[0]?.address, { type: 'virtio-serial', controller: 1, bus: 0, port: 1 });
});

test('virtio-serial errors', () => {
  const ch = (port: number): string => `<channel type='pty'><target type='virtio' name='p${port}'/><address type='virtio-serial' controller='0' bus='0' port='${port}'/></channel>`;
  prepFails(ch(3) + ch(3), 'ADDRESS_CONFLICT', /channel\[2\]\/address: virtio-serial port 0\.3 is already used by \/domain\/devices\/channel\[1\]/);
  prepFails(`<controller type='virtio-serial' index='0' ports='2'/>${ch(2)}`, 'ADDRESS_CONFLICT', /port 2 does not exist/);
  prepFails(`<controller type='virtio-serial' index='0' ports='2'/>${ch(1)}<channel type='pty'><target type='virtio' name='x'/></channel>`, 'ADDRESS_CONFLICT', /no free virtio-serial port/);
  prepFails(`<console type='pty'/><console type='pty'><target type='serial'/></console>`, 'XML_CONFLICT', /console\[2\]\/target\/@type: only the first console/);
});
