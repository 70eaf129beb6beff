// The disk hotplug plans against the captured QEMU 7.2 capabilities: the nodes and device a
// hotplug sends are the ones the command line has for the same disk (renamed to a fresh
// libvirt-N), the PCI slot is the next free one, a full bus or a q35 without a free root port
// is refused, and a detach deletes the device, then the nodes query-block names for it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { qemu72Caps } from '../../../../tests/golden/caps.js';
import { isVirtkitError } from '../../errors.js';
import { parseDiskXml, parseDomainXml, prepareDomain } from '../../xml/domain/index.js';
import type { DomainDef } from '../../xml/domain/index.js';
import { capsView } from '../argv/caps-view.js';
import { buildQemuArgv } from '../argv/index.js';
import type { QmpBlockInfo } from '../qmp/command-types.js';
import { planBlockResize, planDiskAttach, planDiskDetach } from './disk-plan.js';
import { planChangeMedia } from './media-plan.js';

const caps = capsView(qemu72Caps());
const ctx = { random: (n: number): Uint8Array => new Uint8Array(n).fill(7) };
const prep = (def: DomainDef): DomainDef => prepareDomain(def, ctx);
const disk = (file: string, dev: string, type = 'raw'): string =>
  `<disk type='file' device='disk'><driver name='qemu' type='${type}'/><source file='${file}'/><target dev='${dev}' bus='virtio'/></disk>`;

function domain(devices: string, machine = 'pc'): DomainDef {
  return prepareDomain(parseDomainXml(`<domain type='qemu'><name>t</name><memory>65536</memory>
    <os><type arch='x86_64' machine='${machine}'>hvm</type></os><devices>${devices}</devices></domain>`), ctx);
}

const argvObjects = (def: DomainDef, opt: string): Record<string, unknown>[] => {
  const args = buildQemuArgv(def, caps, { libDir: '/l', monitor: { path: '/m' } }).args;
  return args.flatMap((a, i) => (args[i - 1] === opt ? [JSON.parse(a) as Record<string, unknown>] : []));
};

test('attach: blockdev-add of the argv builder\'s nodes under a fresh libvirt-N, then device_add at the next free slot', () => {
  const live = domain(disk('/a.img', 'vda'));
  const plan = planDiskAttach(live, parseDiskXml(disk('/b,x.qcow2', 'vdb', 'qcow2')), caps, prep, ['libvirt-1-storage', 'libvirt-1-format']);
  assert.equal(plan.alias, 'virtio-disk1');
  assert.deepEqual(plan.steps.map((s) => s.call.command), ['blockdev-add', 'blockdev-add', 'device_add']);
  assert.deepEqual(plan.steps[0]?.call.args, { driver: 'file', filename: '/b,x.qcow2', 'node-name': 'libvirt-2-storage', 'auto-read-only': true, discard: 'unmap' });
  assert.deepEqual(plan.steps[1]?.call.args, { 'node-name': 'libvirt-2-format', 'read-only': false, driver: 'qcow2', file: 'libvirt-2-storage' });
  assert.deepEqual(plan.steps[0]?.undo, { command: 'blockdev-del', args: { 'node-name': 'libvirt-2-storage' } });
  const vda = argvObjects(live, '-device').find((d) => d.id === 'virtio-disk0');
  assert.equal(vda?.addr, '0x2', 'the existing disk sits in slot 2 (no video), the balloon in 3');
  assert.deepEqual(plan.steps[2]?.call.args, { driver: 'virtio-blk-pci', bus: 'pci.0', addr: '0x4', drive: 'libvirt-2-format', id: 'virtio-disk1' });
  // The same disk on a command line: the same objects but for N (the builder counts disks down).
  const booted = argvObjects(plan.live, '-blockdev').filter((b) => String(b['node-name']).startsWith('libvirt-1'));
  assert.deepEqual(booted.map((b) => ({ ...b, 'node-name': '', ...(b.file === undefined ? {} : { file: '' }) })),
    plan.steps.slice(0, 2).map((s) => ({ ...s.call.args, 'node-name': '', ...(s.call.args.file === undefined ? {} : { file: '' }) })));
  assert.equal(plan.live.devices?.disk?.length, 2);
  assert.deepEqual(plan.live.devices?.disk?.[1]?.address, { type: 'pci', domain: 0, bus: 0, slot: 4, function: 0 });
});

test('attach: a target in use, an IDE disk, a CD-ROM and a full bus are refused before anything runs; the last pc slot is used', () => {
  const live = domain(disk('/a.img', 'vda'));
  const refused = (xml: string, code: string, msg: RegExp, def = live): void => {
    assert.throws(() => planDiskAttach(def, parseDiskXml(xml), caps, prep, []), (e: unknown) => {
      assert.ok(isVirtkitError(e));
      assert.equal(e.code, code);
      assert.match(e.message, msg);
      return true;
    });
  };
  refused(disk('/b.img', 'vda'), 'XML_DUPLICATE', /already has a disk with target 'vda'/);
  refused("<disk type='file'><source file='/b.img'/><target dev='hdb' bus='ide'/></disk>", 'OPERATION_INVALID', /on bus 'ide'.*use --config/);
  refused("<disk type='file' device='cdrom'><source file='/c.iso'/><target dev='sdc' bus='scsi'/></disk>", 'OPERATION_INVALID', /cannot hot-plug cdrom drive 'sdc'.*change-media/);
  // pc: slot 1 is the PIIX3, the balloon takes one slot, 28 disks and the spare slot prepareDomain keeps for a bridge
  // (as libvirt does at start) the rest of 2..31. A hotplug takes that last slot, as libvirt's; then the bus is full.
  const full = domain(Array.from({ length: 28 }, (_, i) => disk(`/d${i}.img`, `vd${String.fromCharCode(97 + (i % 26))}${i >= 26 ? 'a' : ''}`)).join(''));
  assert.equal(full.devices?.controller?.filter((c) => c.type === 'pci').length, 1, 'one PCI bus');
  const last = planDiskAttach(full, parseDiskXml(disk('/b.img', 'vdzy')), caps, prep, []);
  assert.deepEqual(last.disk.address, { type: 'pci', domain: 0, bus: 0, slot: 31, function: 0 });
  assert.equal(last.live.devices?.controller?.filter((c) => c.type === 'pci').length, 1, 'no bridge was added');
  refused(disk('/c.img', 'vdzz'), 'ADDRESS_CONFLICT', /no free slot on its PCI buses/, last.live);
});

test('attach on q35: the free pcie-root-port libvirt keeps for hotplug, then a clear error when none is left', () => {
  const live = domain(disk('/a.img', 'vda'), 'q35');
  const plan = planDiskAttach(live, parseDiskXml(disk('/b.img', 'vdb')), caps, prep, []);
  const port = (live.devices?.controller ?? []).find((c) => c.model === 'pcie-root-port' && plan.disk.address?.type === 'pci' && c.index === plan.disk.address.bus);
  assert.ok(port, `the disk sits on a root port: ${JSON.stringify(plan.disk.address)}`);
  assert.equal(plan.steps.at(-1)?.call.args.bus, port.alias?.name);
  assert.throws(() => planDiskAttach(plan.live, parseDiskXml(disk('/c.img', 'vdc')), caps, prep, []),
    (e: unknown) => isVirtkitError(e) && e.code === 'ADDRESS_CONFLICT' && /no free pcie-root-port; add <controller type='pci' model='pcie-root-port'\/>/.test(e.message));
});

test('detach: device_del of the alias, then blockdev-del of the nodes query-block names, top first; block_resize of the top node', () => {
  const live = domain(disk('/a.img', 'vda') + disk('/b.qcow2', 'vdb', 'qcow2'));
  const blocks: QmpBlockInfo[] = [
    { device: '', qdev: '/machine/peripheral/virtio-disk0/virtio-backend', removable: false, locked: false, inserted: { file: '/a.img', 'node-name': 'libvirt-2-storage', ro: false, drv: 'file', encrypted: false, backing_file_depth: 0 } },
    { device: '', qdev: '/machine/peripheral/virtio-disk1/virtio-backend', removable: false, locked: false, inserted: { file: '/b.qcow2', 'node-name': 'libvirt-7-format', ro: false, drv: 'qcow2', encrypted: false, backing_file_depth: 0 } },
  ];
  const plan = planDiskDetach(live, '/b.qcow2', blocks);
  assert.equal(plan.alias, 'virtio-disk1');
  assert.deepEqual(plan.deviceDel, { command: 'device_del', args: { id: 'virtio-disk1' } });
  assert.deepEqual(plan.blockdevDel.map((c) => c.args['node-name']), ['libvirt-7-format', 'libvirt-7-storage']);
  assert.deepEqual(plan.live.devices?.disk?.map((d) => d.target?.dev), ['vda']);
  assert.deepEqual(planDiskDetach(live, 'vda', blocks).blockdevDel.map((c) => c.args['node-name']), ['libvirt-2-storage']);
  assert.throws(() => planDiskDetach(live, 'vdq', blocks), (e: unknown) => isVirtkitError(e) && e.code === 'NOT_FOUND');
  assert.deepEqual(planBlockResize(live, 'vdb', blocks, 16 << 20), { command: 'block_resize', args: { 'node-name': 'libvirt-7-format', size: 16 << 20 } });
});

const UUID = '0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f';

test('attach of keyed disks: object-add of the secret from the key file first (undone by object-del); detach deletes it after the nodes', () => {
  const live = domain(disk('/a.img', 'vda'));
  const luks = `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/l.qcow2'/><target dev='vdb' bus='virtio'/>
    <encryption format='luks'><secret type='passphrase' uuid='${UUID}'/></encryption></disk>`;
  const plan = planDiskAttach(live, parseDiskXml(luks), caps, prep, ['libvirt-1-storage'], { encryption: '/run/d/disk-vdb.key' });
  assert.deepEqual(plan.steps.map((s) => s.call.command), ['object-add', 'blockdev-add', 'blockdev-add', 'device_add']);
  assert.deepEqual(plan.steps[0], {
    call: { command: 'object-add', args: { 'qom-type': 'secret', id: 'libvirt-2-format-encryption-secret0', format: 'raw', file: '/run/d/disk-vdb.key' } },
    undo: { command: 'object-del', args: { id: 'libvirt-2-format-encryption-secret0' } },
  });
  assert.deepEqual(plan.steps[2]?.call.args.encrypt, { format: 'luks', 'key-secret': 'libvirt-2-format-encryption-secret0' });
  // Without its key file the plan is refused: the argv builder's error, before anything runs.
  assert.throws(() => planDiskAttach(live, parseDiskXml(luks), caps, prep, []), /no key file was given for disk 'vdb'/);

  const rbd = `<disk type='network' device='disk'><driver name='qemu' type='raw'/><source protocol='rbd' name='p/img'>
    <host name='127.0.0.1' port='6789'/><auth username='virtkit'><secret type='ceph' uuid='${UUID}'/></auth></source><target dev='vdc' bus='virtio'/></disk>`;
  const r = planDiskAttach(plan.live, parseDiskXml(rbd), caps, prep, ['libvirt-2-format'], { auth: '/run/d/disk-vdc-auth.key' });
  assert.deepEqual(r.steps[0]?.call, { command: 'object-add', args: { 'qom-type': 'secret', id: 'libvirt-3-storage-secret0', format: 'raw', file: '/run/d/disk-vdc-auth.key' } });
  assert.equal(r.steps[1]?.call.args['key-secret'], 'libvirt-3-storage-secret0');

  const inserted = (file: string, node: string, drv: string) => ({ file, 'node-name': node, ro: false, drv, encrypted: false, backing_file_depth: 0 });
  const blocks: QmpBlockInfo[] = [
    { device: '', qdev: '/machine/peripheral/virtio-disk1/virtio-backend', removable: false, locked: false, inserted: inserted('/l.qcow2', 'libvirt-2-format', 'qcow2') },
    { device: '', qdev: '/machine/peripheral/virtio-disk2/virtio-backend', removable: false, locked: false, inserted: inserted('rbd', 'libvirt-3-format', 'raw') },
  ];
  assert.deepEqual(planDiskDetach(r.live, 'vdb', blocks).objectDel, [{ command: 'object-del', args: { id: 'libvirt-2-format-encryption-secret0' } }]);
  assert.deepEqual(planDiskDetach(r.live, 'vdc', blocks).objectDel, [{ command: 'object-del', args: { id: 'libvirt-3-storage-secret0' } }]);
  assert.deepEqual(planDiskDetach(r.live, 'vda', blocks).objectDel, [], 'a disk without keys has no secret to delete');
});

test('change-media: eject opens the tray, removes the medium and deletes its node; insert adds the new one read-only and closes the tray', () => {
  const live = domain("<disk type='file' device='cdrom'><source file='/a.iso'/><target dev='hdc' bus='ide'/></disk>");
  const blocks: QmpBlockInfo[] = [
    { device: '', qdev: 'ide0-1-0', removable: true, locked: false, inserted: { file: '/a.iso', 'node-name': 'libvirt-1-storage', ro: true, drv: 'file', encrypted: false, backing_file_depth: 0 } },
  ];
  const opts = { blocks, usedNodeNames: ['libvirt-1-storage'], caps, force: false };
  const eject = planChangeMedia(live, 'hdc', undefined, opts);
  assert.deepEqual(eject.calls, [
    { command: 'blockdev-open-tray', args: { id: 'ide0-1-0', force: false } },
    { command: 'blockdev-remove-medium', args: { id: 'ide0-1-0' } },
    { command: 'blockdev-del', args: { 'node-name': 'libvirt-1-storage' } },
  ]);
  assert.equal(eject.live.devices?.disk?.[0]?.source, undefined);
  const insert = planChangeMedia(eject.live, 'hdc', { source: '/b.iso' }, { ...opts, blocks: [{ device: '', qdev: 'ide0-1-0', removable: true, locked: false }], usedNodeNames: [] });
  assert.deepEqual(insert.calls, [
    { command: 'blockdev-open-tray', args: { id: 'ide0-1-0', force: false } },
    { command: 'blockdev-remove-medium', args: { id: 'ide0-1-0' } },
    { command: 'blockdev-add', args: { driver: 'file', filename: '/b.iso', 'node-name': 'libvirt-2-storage', 'read-only': true } },
    { command: 'blockdev-insert-medium', args: { id: 'ide0-1-0', 'node-name': 'libvirt-2-storage' } },
    { command: 'blockdev-close-tray', args: { id: 'ide0-1-0' } },
  ]);
  assert.equal(insert.live.devices?.disk?.[0]?.source?.file, '/b.iso');
  assert.throws(() => planChangeMedia(eject.live, 'hdc', undefined, { ...opts, blocks: [] }), /has no medium to eject/);
  assert.throws(() => planChangeMedia(domain(disk('/a.img', 'vda')), 'vda', undefined, opts), /not a CD-ROM or floppy/);
});
