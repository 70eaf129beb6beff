import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtkitError } from '../../errors.js';
import { parseDomainXml } from '../domain/index.js';
import type { SnapshotCreateContext } from './index.js';
import { checkSnapshotFlags, formatSnapshotXml, overlayPath, parseSnapshotXml, prepareSnapshotCreate } from './index.js';

const DOMAIN = parseDomainXml(`<domain type='qemu'><name>g</name><memory>1048576</memory><os><type>hvm</type></os><devices>
  <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/var/lib/virtkit/images/g.v1.qcow2'/><target dev='vda' bus='virtio'/></disk>
  <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/data/scratch'/><target dev='vdb' bus='virtio'/></disk>
  <disk type='file' device='cdrom'><target dev='sda' bus='sata'/><readonly/></disk>
  <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/data/seed.img'/><target dev='vdc' bus='virtio'/><readonly/></disk>
</devices></domain>`);

const ctx = (over: Partial<SnapshotCreateContext> = {}): SnapshotCreateContext => ({ domain: DOMAIN, state: 'running', now: 1700000000, flags: {}, ...over });
const create = (xml: string, over: Partial<SnapshotCreateContext> = {}) => prepareSnapshotCreate(parseSnapshotXml(xml), ctx(over));
const table = (xml: string, over: Partial<SnapshotCreateContext> = {}) =>
  (create(xml, over).disks?.disk ?? []).map((d) => [d.name, d.snapshot, d.driver?.type, d.source?.file].filter((x) => x !== undefined).join(' '));

function fails(fn: () => unknown, code: string, text: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof VirtkitError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, text);
    return true;
  });
}

test('overlay names: the extension of the file name goes, the snapshot name is appended', () => {
  assert.equal(overlayPath('/var/lib/virtkit/images/g.v1.qcow2', 'snap1'), '/var/lib/virtkit/images/g.v1.snap1');
  assert.equal(overlayPath('/data/scratch', 'snap1'), '/data/scratch.snap1');
  assert.equal(overlayPath('/data.d/scratch', 's'), '/data.d/scratch.s');
  assert.equal(overlayPath('/data/.hidden', 's'), '/data/.hidden.s');
});

test('--disk-only: every disk with media external onto BASENAME.SNAPNAME qcow2; cdroms and read-only disks not', () => {
  assert.deepEqual(table('<domainsnapshot><name>snap1</name></domainsnapshot>', { flags: { diskOnly: true } }), [
    'vda external qcow2 /var/lib/virtkit/images/g.v1.snap1',
    'vdb external qcow2 /data/scratch.snap1',
    'sda no',
    'vdc no',
  ]);
  const def = create('<domainsnapshot><name>snap1</name></domainsnapshot>', { flags: { diskOnly: true }, parent: 'snap0' });
  assert.equal(def.state, 'disk-snapshot');
  assert.deepEqual(def.memory, { snapshot: 'no' });
  assert.equal(def.parent?.name, 'snap0');
  assert.equal(def.creationTime, 1700000000);
  assert.deepEqual(def.domain, { def: DOMAIN });
  assert.equal(create('<domainsnapshot/>', { flags: { diskOnly: true }, state: 'shutoff' }).state, 'shutoff');
  // The name defaults to the creation time, and so does the overlay's suffix.
  assert.equal(create('<domainsnapshot/>', { flags: { diskOnly: true } }).disks?.disk?.[1]?.source?.file, '/data/scratch.1700000000');
});

test('disks the XML names are matched by target or source path and keep what they say', () => {
  const xml = "<domainsnapshot><name>s</name><disks><disk name='/data/scratch' snapshot='no'/><disk name='vda'><source file='/ov/a.qcow2'/></disk></disks></domainsnapshot>";
  assert.deepEqual(table(xml, { flags: { diskOnly: true } }), ['vda external qcow2 /ov/a.qcow2', 'vdb no', 'sda no', 'vdc no']);
  const out = formatSnapshotXml(create(xml, { flags: { diskOnly: true } }));
  assert.match(out, /<disk name='vda' snapshot='external' type='file'>\n {6}<driver type='qcow2'\/>\n {6}<source file='\/ov\/a.qcow2'\/>\n {4}<\/disk>\n {4}<disk name='vdb' snapshot='no'\/>/);
});

test('internal snapshots: running takes the memory, shut off does not; every qcow2 disk internal', () => {
  const running = create('<domainsnapshot><name>s</name></domainsnapshot>');
  assert.equal(running.state, 'running');
  assert.deepEqual(running.memory, { snapshot: 'internal' });
  assert.deepEqual(
    (running.disks?.disk ?? []).map((d) => `${d.name} ${d.snapshot ?? ''}`),
    ['vda internal', 'vdb internal', 'sda no', 'vdc no'],
  );
  const off = create('<domainsnapshot><name>s</name></domainsnapshot>', { state: 'shutoff' });
  assert.deepEqual(off.memory, { snapshot: 'no' });
  assert.equal(off.state, 'shutoff');
});

test('create refusals', () => {
  fails(() => create("<domainsnapshot><memory snapshot='internal'/></domainsnapshot>", { flags: { diskOnly: true } }), 'XML_CONFLICT', /^\/domainsnapshot\/memory\/@snapshot: a disk-only snapshot cannot save the memory/);
  fails(() => create("<domainsnapshot><memory snapshot='no'/></domainsnapshot>"), 'XML_CONFLICT', /an internal snapshot of a running domain must include the memory/);
  fails(() => create("<domainsnapshot><memory snapshot='external' file='/m'/></domainsnapshot>"), 'XML_UNSUPPORTED', /external memory snapshots are not supported yet/);
  fails(() => create("<domainsnapshot><disks><disk name='vdz'/></disks></domainsnapshot>"), 'XML_INVALID_VALUE', /^\/domainsnapshot\/disks\/disk\/@name: domain 'g' has no disk named 'vdz'/);
  fails(() => create("<domainsnapshot><disks><disk name='vda'/><disk name='/var/lib/virtkit/images/g.v1.qcow2'/></disks></domainsnapshot>"), 'XML_DUPLICATE', /disk\[2\]\/@name: disk '.*g.v1.qcow2' \(target 'vda'\) is named twice/);
  fails(() => create(`<domainsnapshot><disks>${"<disk name='vda'/>".repeat(5)}</disks></domainsnapshot>`), 'XML_CONFLICT', /5 disks are named, but domain 'g' has 4/);
  fails(() => create("<domainsnapshot><disks><disk name='vdb' snapshot='external'/></disks></domainsnapshot>"), 'XML_CONFLICT', /disk 'vdb' must use snapshot mode 'internal' like the others/);
  fails(() => create("<domainsnapshot><disks><disk name='vdb' snapshot='internal'/></disks></domainsnapshot>", { flags: { diskOnly: true } }), 'XML_UNSUPPORTED', /^\/domainsnapshot\/disks: disks 'vdb' are internal and 'vda' external: one snapshot cannot mix them/);
  fails(() => create("<domainsnapshot><disks><disk name='vda' snapshot='manual'/></disks></domainsnapshot>", { flags: { diskOnly: true } }), 'XML_UNSUPPORTED', /snapshot='manual' \(disk 'vda'\) is not supported/);
  fails(() => create("<domainsnapshot><disks><disk name='vda'><driver type='qed'/></disk></disks></domainsnapshot>", { flags: { diskOnly: true } }), 'XML_UNSUPPORTED', /driver\/@type: an overlay in format 'qed' \(disk 'vda'\) is not supported/);
  fails(() => create("<domainsnapshot><disks><disk name='vda' type='block'><source dev='/dev/x'/></disk></disks></domainsnapshot>", { flags: { diskOnly: true } }), 'XML_UNSUPPORTED', /@type: an overlay on a 'block' device/);
  fails(() => create("<domainsnapshot><disks><disk name='vda' snapshot='external' type='block'/></disks></domainsnapshot>", { flags: { diskOnly: true } }), 'XML_MISSING', /cannot name an overlay for disk 'vda' on a 'block' device/);
  // Overlay names that collide: two sources that differ only in their extension.
  const twin = parseDomainXml(`<domain type='qemu'><name>t</name><memory>1</memory><os><type>hvm</type></os><devices>
    <disk type='file'><driver name='qemu' type='qcow2'/><source file='/d/x.qcow2'/><target dev='vda'/></disk>
    <disk type='file'><driver name='qemu' type='qcow2'/><source file='/d/x.img'/><target dev='vdb'/></disk></devices></domain>`);
  fails(() => create('<domainsnapshot><name>s</name></domainsnapshot>', { domain: twin, flags: { diskOnly: true } }), 'XML_CONFLICT', /the overlay name '\/d\/x.s' for disk 'vdb' collides with disk 'vda'/);
  const blockDom = parseDomainXml(`<domain type='qemu'><name>b</name><memory>1</memory><os><type>hvm</type></os><devices>
    <disk type='block'><driver name='qemu' type='raw'/><source dev='/dev/vg/lv'/><target dev='vda'/></disk></devices></domain>`);
  fails(() => create('<domainsnapshot/>', { domain: blockDom, flags: { diskOnly: true } }), 'XML_MISSING', /disk 'vda' is not a file, so virtkit cannot name its overlay/);
  // An internal snapshot needs qcow2 disks.
  fails(() => create('<domainsnapshot/>', { domain: blockDom }), 'XML_UNSUPPORTED', /disk 'vda' is raw: an internal snapshot needs a qcow2 disk/);
});

test('flags: --redefine and --no-metadata exclude each other', () => {
  fails(() => checkSnapshotFlags({ redefine: true, noMetadata: true }), 'INVALID_ARGUMENT', /--redefine and --no-metadata cannot go together/);
  checkSnapshotFlags({ diskOnly: true, noMetadata: true });
});
