import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prep } from '../../../../../tests/helpers/domain-defaults.js';
import { stripAliases } from './aliases.js';

test('disk aliases follow the bus and the drive address', () => {
  const d = prep(`<disk device='cdrom'><target dev='hdc'/></disk><disk device='disk'><target dev='vdc'/></disk>
    <disk device='disk'><target dev='sda'/></disk><disk device='disk'><target dev='sdb'/><address type='drive' controller='1' bus='0' target='2' unit='3'/></disk>
    <disk device='floppy'><target dev='fdb'/></disk><controller type='scsi' index='1' model='virtio-scsi'/>`);
  assert.deepEqual(d.devices?.disk?.map((x) => x.alias?.name), ['ide0-1-0', 'virtio-disk2', 'scsi0-0-0', 'scsi1-0-2-3', 'fdc0-0-1']);
});

test('controller aliases: built-in ones by name, the rest type+index', () => {
  const d = prep(`<controller type='usb' index='1' model='qemu-xhci'/><controller type='virtio-serial' index='2'/><disk device='disk'><target dev='sda' bus='sata'/></disk>`, 'q35');
  const names = new Map((d.devices?.controller ?? []).map((c) => [`${c.type}${c.index ?? 0}`, c.alias?.name]));
  assert.equal(names.get('usb0'), 'usb');
  assert.equal(names.get('usb1'), 'usb1');
  assert.equal(names.get('virtio-serial2'), 'virtio-serial2');
  assert.equal(names.get('sata0'), 'ide');
  assert.equal(names.get('pci0'), 'pcie.0');
  assert.equal(names.get('pci1'), 'pci.1');
  const pc = prep(`<disk device='disk'><target dev='hda'/></disk>`);
  // The machine's controllers come first, then those implied by devices (libvirt's post-parse order).
  assert.deepEqual(pc.devices?.controller?.map((c) => c.alias?.name), ['usb', 'pci.0', 'ide']);
});

test('interfaces are netN, hostdev interfaces share the hostdevN sequence; user aliases stay, others are recomputed', () => {
  const d = prep(`<interface type='user'/><interface type='hostdev'><source><address type='pci' domain='0' bus='3' slot='7' function='1'/></source></interface>
    <interface type='user'><alias name='ua-mine'/></interface><hostdev mode='subsystem' type='pci'><source><address domain='0' bus='6' slot='1' function='0'/></source><alias name='stale'/></hostdev>
    <input type='tablet' bus='usb'/><watchdog model='i6300esb'/><rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>`);
  assert.deepEqual(d.devices?.interface?.map((n) => n.alias?.name), ['net0', 'hostdev0', 'ua-mine']);
  const nets = prep(`<interface type='user'/><interface type='user'><alias name='ua-x'/></interface><interface type='user'/><input type='keyboard' bus='virtio'/><input type='keyboard' bus='virtio'><alias name='ua-t'/></input><input type='keyboard' bus='virtio'/>`);
  assert.deepEqual(nets.devices?.interface?.map((n) => n.alias?.name), ['net0', 'ua-x', 'net1'], 'nets count their own names');
  assert.deepEqual(nets.devices?.input?.slice(0, 3).map((n) => n.alias?.name), ['input0', 'ua-t', 'input2'], 'inputs use their position');
  assert.equal(d.devices?.hostdev?.[0]?.alias?.name, 'hostdev1');
  assert.deepEqual(d.devices?.input?.map((i) => i.alias?.name), ['input0', 'input1', 'input2']);
  assert.equal(d.devices?.watchdog?.[0]?.alias?.name, 'watchdog0');
  assert.equal(d.devices?.rng?.[0]?.alias?.name, 'rng0');
  assert.equal(d.devices?.memballoon?.alias?.name, 'balloon0');
});

test('a memballoon of model none has no alias', () => {
  assert.equal(prep(`<memballoon model='none'/>`).devices?.memballoon?.alias, undefined);
});

test('stripAliases drops the run-time aliases (user ones stay) and keeps addresses and MACs', () => {
  const d = prep(`<disk device='disk'><target dev='vda'/></disk><interface type='user'/><interface type='user'><alias name='ua-nic'/></interface>
    <serial type='pty'/><console type='pty'/>`);
  assert.equal(d.devices?.disk?.[0]?.alias?.name, 'virtio-disk0');
  const s = stripAliases(d);
  assert.deepEqual(s.devices?.disk?.map((x) => x.alias), [undefined]);
  assert.deepEqual(s.devices?.interface?.map((x) => x.alias?.name), [undefined, 'ua-nic']);
  assert.equal(s.devices?.memballoon?.alias, undefined);
  assert.equal(s.devices?.console?.[0]?.alias, undefined);
  assert.deepEqual(s.devices?.controller?.map((c) => c.alias), s.devices?.controller?.map(() => undefined));
  assert.equal(s.devices?.disk?.[0]?.address?.type, 'pci');
  assert.match(s.devices?.interface?.[0]?.mac?.address ?? '', /^52:54:00:/);
  assert.equal(d.devices?.disk?.[0]?.alias?.name, 'virtio-disk0', 'the input is not modified');
});
