import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtkitError } from '../errors.js';
import { formatDomainXml, parseDomainXml } from '../xml/domain/index.js';
import { planClone, type StorageRef } from './plan.js';

const UUID = '11111111-2222-3333-4444-555555555555';
const ORIG = `<domain type='qemu'>
  <name>vm</name>
  <uuid>aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee</uuid>
  <title>The original</title>
  <memory>65536</memory>
  <sysinfo type='smbios'><system><entry name='uuid'>aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee</entry><entry name='serial'>s1</entry></system></sysinfo>
  <os><type arch='x86_64' machine='q35'>hvm</type><nvram>/nv/vm_VARS.fd</nvram></os>
  <devices>
    <disk type='volume' device='disk'><driver name='qemu' type='qcow2'/><source pool='default' volume='vm.qcow2'/><target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/data/extra.img'/><target dev='vdb' bus='virtio'/></disk>
    <disk type='file' device='cdrom'><source file='/iso/install.iso'/><target dev='sda' bus='sata'/><readonly/></disk>
    <disk type='file' device='disk'><source file='/data/shared.img'/><target dev='vdc' bus='virtio'/><shareable/></disk>
    <interface type='network'><mac address='52:54:00:00:00:01'/><source network='default'/><target dev='vnet7'/><model type='virtio'/></interface>
    <interface type='network'><mac address='52:54:00:00:00:02'/><source network='default'/></interface>
    <graphics type='vnc' port='5901' autoport='no' listen='127.0.0.1'/>
    <serial type='file'><source path='/logs/vm.log'/><target port='0'/></serial>
    <channel type='unix'><source mode='bind' path='/run/vm/org.qemu.guest_agent.0'/><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
  </devices>
</domain>`;

const none = (): boolean => false;
const orig = () => parseDomainXml(ORIG);

test('the clone gets its name, UUID (SMBIOS too), no title, new MACs, no tap name, an automatic VNC port', () => {
  const p = planClone(orig(), { name: 'vm2', uuid: UUID, autoClone: true, macs: ['52:54:00:aa:bb:cc'] }, none);
  assert.equal(p.def.name, 'vm2');
  assert.equal(p.def.uuid, UUID);
  assert.equal(p.def.title, undefined);
  assert.deepEqual(p.def.sysinfo?.[0]?.system?.entry?.map((e) => e.value), [UUID, 's1']);
  const ifs = p.def.devices?.interface ?? [];
  assert.equal(ifs[0]?.mac?.address, '52:54:00:aa:bb:cc');
  // The second gets a random one from the defaults (prepareDomain), not the original's.
  assert.equal(ifs[1]?.mac, undefined);
  assert.equal(ifs[0]?.target, undefined);
  assert.equal(p.def.devices?.graphics?.[0]?.port, -1);
  assert.equal(p.def.devices?.graphics?.[0]?.autoport, true);
  assert.equal(p.def.devices?.serial?.[0]?.source?.[0]?.path, '/logs/vm2.log');
  assert.equal(p.def.devices?.channel?.[0]?.source?.[0]?.path, undefined);
  assert.equal(p.def.devices?.channel?.[0]?.source?.[0]?.mode, 'bind');
  // The original is not changed.
  assert.equal(orig().devices?.interface?.[0]?.mac?.address, '52:54:00:00:00:01');
  // It formats.
  assert.match(formatDomainXml(p.def), /<name>vm2<\/name>/);
});

test('read-only, shareable and cdrom disks are shared; the others copied to generated paths (--auto-clone)', () => {
  const p = planClone(orig(), { name: 'vm2', uuid: UUID, autoClone: true }, none);
  assert.deepEqual(p.disks, [
    { target: 'vda', action: 'copy', from: { kind: 'volume', pool: 'default', volume: 'vm.qcow2' }, to: { kind: 'volume', pool: 'default', volume: 'vm2.qcow2' } },
    { target: 'vdb', action: 'copy', from: { kind: 'file', path: '/data/extra.img' }, to: { kind: 'file', path: '/data/extra-clone.img' } },
    { target: 'sda', action: 'share', why: 'read only' },
    { target: 'vdc', action: 'share', why: 'marked as shareable' },
  ]);
  const disks = p.def.devices?.disk ?? [];
  assert.deepEqual(disks[0]?.source, { pool: 'default', volume: 'vm2.qcow2' });
  assert.deepEqual(disks[1]?.source, { file: '/data/extra-clone.img' });
  assert.deepEqual(disks[2]?.source, { file: '/iso/install.iso' });
  assert.deepEqual(p.nvram, { from: '/nv/vm_VARS.fd', to: '/nv/vm2_VARS.fd', preserve: false });
  assert.equal(p.def.os?.nvram?.value, '/nv/vm2_VARS.fd');
});

test('--file names each cloned disk in order; a bare name is a volume of the same pool; --skip-copy shares', () => {
  const p = planClone(orig(), { name: 'n', uuid: UUID, files: ['new.qcow2'], skipCopy: ['vdb'], nvram: '/nv/mine.fd' }, none);
  assert.deepEqual(p.disks.map((d) => d.action), ['copy', 'share', 'share', 'share']);
  assert.deepEqual(p.disks[0], { target: 'vda', action: 'copy', from: { kind: 'volume', pool: 'default', volume: 'vm.qcow2' }, to: { kind: 'volume', pool: 'default', volume: 'new.qcow2' } });
  assert.equal(p.nvram?.to, '/nv/mine.fd');
  const q = planClone(orig(), { name: 'n', uuid: UUID, files: ['/elsewhere/a.qcow2', '/elsewhere/b.img'] }, none);
  assert.deepEqual(q.def.devices?.disk?.[0]?.source, { file: '/elsewhere/a.qcow2' });
  assert.equal(q.def.devices?.disk?.[0]?.type, 'file');
});

test('generated paths skip what exists; a target that exists is refused unless --preserve-data', () => {
  const taken = (r: StorageRef) => (r.kind === 'volume' ? r.volume === 'vm2.qcow2' : r.path === '/data/extra-clone.img');
  const p = planClone(orig(), { name: 'vm2', uuid: UUID, autoClone: true }, taken);
  assert.deepEqual(p.disks.slice(0, 2).map((d) => (d.action === 'copy' ? d.to : undefined)), [
    { kind: 'volume', pool: 'default', volume: 'vm2-1.qcow2' }, { kind: 'file', path: '/data/extra-clone-1.img' },
  ]);
  assert.throws(() => planClone(orig(), { name: 'vm2', uuid: UUID, files: ['vm2.qcow2', '/data/x.img'] }, taken),
    (e: unknown) => e instanceof VirtkitError && e.code === 'CLONE_TARGET_EXISTS' && e.details?.['target'] === 'vda');
  const kept = planClone(orig(), { name: 'vm2', uuid: UUID, files: ['vm2.qcow2', '/data/x.img'], preserveData: true }, taken);
  assert.deepEqual(kept.disks[0], { target: 'vda', action: 'preserve', to: { kind: 'volume', pool: 'default', volume: 'vm2.qcow2' } });
  assert.equal(kept.nvram?.preserve, true);
});

test('--linked: each cloned disk a qcow2 overlay on the original', () => {
  const p = planClone(orig(), { name: 'l', uuid: UUID, autoClone: true, linked: true }, none);
  assert.deepEqual(p.disks.slice(0, 2).map((d) => d.action), ['link', 'link']);
  assert.equal(p.def.devices?.disk?.[1]?.driver?.type, 'qcow2');
  assert.throws(() => planClone(orig(), { name: 'l', uuid: UUID, autoClone: true, linked: true, preserveData: true }, none),
    (e: unknown) => e instanceof VirtkitError && e.code === 'INVALID_ARGUMENT');
});

test('refusals: no path and no --auto-clone, too many --file or --mac, an unknown --skip-copy target, a network disk', () => {
  const code = (c: string) => (e: unknown) => e instanceof VirtkitError && e.code === c;
  assert.throws(() => planClone(orig(), { name: 'n', uuid: UUID }, none), code('INVALID_ARGUMENT'));
  assert.throws(() => planClone(orig(), { name: 'n', uuid: UUID, files: ['/a', '/b', '/c'] }, none), /more than disks/);
  assert.throws(() => planClone(orig(), { name: 'n', uuid: UUID, autoClone: true, macs: ['52:54:00:00:00:09', '52:54:00:00:00:0a', '52:54:00:00:00:0b'] }, none), /--mac/);
  assert.throws(() => planClone(orig(), { name: 'n', uuid: UUID, autoClone: true, skipCopy: ['vdz'] }, none), /no disk with target 'vdz'/);
  const net = parseDomainXml(`<domain type='qemu'><name>r</name><memory>65536</memory><os><type>hvm</type></os><devices>
    <disk type='network' device='disk'><driver name='qemu' type='raw'/><source protocol='rbd' name='p/img'/><target dev='vda' bus='virtio'/></disk></devices></domain>`);
  assert.throws(() => planClone(net, { name: 'n', uuid: UUID, autoClone: true }, none), code('UNSUPPORTED_OPERATION'));
  assert.equal(planClone(net, { name: 'n', uuid: UUID, autoClone: true, skipCopy: ['vda'] }, none).disks[0]?.action, 'share');
});
