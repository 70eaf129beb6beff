import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtkitError } from '../../errors.js';
import type { SnapshotMode } from './index.js';
import { formatSnapshotXml, parseSnapshotXml, snapshotDefaults, snapshotProblems, validateSnapshot } from './index.js';

function fails(xml: string, code: string, text: RegExp, mode: SnapshotMode = 'create'): VirtkitError {
  let err: unknown;
  try {
    const def = snapshotDefaults(parseSnapshotXml(xml), { mode, now: 1700000000 });
    validateSnapshot(def, mode);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof VirtkitError, `expected a VirtkitError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  assert.match(err.message, text);
  return err;
}

const snap = (inner: string): string => `<domainsnapshot><name>s</name>${inner}</domainsnapshot>`;
const record = (inner: string): string => `<domainsnapshot><name>s</name><state>running</state><creationTime>5</creationTime>${inner}</domainsnapshot>`;

test('the document: root, unknown elements and attributes, duplicates', () => {
  fails('<domain/>', 'INVALID_XML', /root element is <domain>, expected <domainsnapshot>/);
  fails(snap('<frob/>'), 'XML_UNSUPPORTED', /^\/domainsnapshot\/frob: unsupported element <frob>/);
  fails(snap("<memory snapshot='internal' colour='red'/>"), 'XML_UNSUPPORTED', /^\/domainsnapshot\/memory\/@colour/);
  fails(snap('<name>t</name>'), 'XML_DUPLICATE', /<name> may appear only once/);
  fails(snap("<disks><disk name='vda'><driver type='qcow2'><metadata_cache><max_size unit='lots'>1</max_size></metadata_cache></driver></disk></disks>"), 'XML_INVALID_UNIT', /max_size\/@unit: 'lots'/);
  fails(snap("<disks><disk name='vda'><source file='/a' startupPolicy='optional'/></disk></disks>"), 'XML_UNSUPPORTED', /^\/domainsnapshot\/disks\/disk\/source\/@startupPolicy: a disk snapshot of type 'file' does not take/);
});

test('bad values', () => {
  fails(snap('<state>sleeping</state>'), 'XML_INVALID_VALUE', /^\/domainsnapshot\/state: 'sleeping' must be one of 'running'/);
  fails(snap('<creationTime>yesterday</creationTime>'), 'XML_INVALID_VALUE', /^\/domainsnapshot\/creationTime: 'yesterday'/);
  fails(snap("<memory snapshot='sometimes'/>"), 'XML_INVALID_VALUE', /^\/domainsnapshot\/memory\/@snapshot: 'sometimes' must be one of 'no', 'internal', 'external', 'manual'/);
  fails(snap("<disks><disk name='vda' snapshot='later'/></disks>"), 'XML_INVALID_VALUE', /disk\/@snapshot: 'later'/);
  fails(snap("<disks><disk name='vda'><driver type='vfat'/></disk></disks>"), 'XML_INVALID_VALUE', /disk\/driver\/@type: 'vfat'/);
  fails(snap('<active>2</active>'), 'XML_INVALID_VALUE', /^\/domainsnapshot\/active: '2'/);
  fails('<domainsnapshot><name>a/b</name></domainsnapshot>', 'XML_INVALID_VALUE', /^\/domainsnapshot\/name: 'a\/b' cannot name a snapshot/);
  fails('<domainsnapshot><name>..</name></domainsnapshot>', 'XML_INVALID_VALUE', /'\.\.' cannot name a snapshot/);
});

test('a record (redefine, metadata) needs its name, creationTime, state; metadata also <active>', () => {
  fails('<domainsnapshot><state>running</state><creationTime>5</creationTime></domainsnapshot>', 'XML_MISSING', /^\/domainsnapshot\/name: a redefined snapshot must have a <name>/, 'redefine');
  fails(snap('<state>running</state>'), 'XML_MISSING', /creationTime/, 'redefine');
  fails(snap('<creationTime>5</creationTime>'), 'XML_MISSING', /^\/domainsnapshot\/state: /, 'redefine');
  fails(record(''), 'XML_MISSING', /^\/domainsnapshot\/active: virtkit's snapshot metadata must have <active>/, 'metadata');
  const all = snapshotProblems(snapshotDefaults(parseSnapshotXml('<domainsnapshot/>'), { mode: 'redefine' }), 'redefine').map((p) => p.details?.['path']);
  assert.deepEqual(all, ['/domainsnapshot/name', '/domainsnapshot/creationTime', '/domainsnapshot/state']);
});

test('memory rules', () => {
  fails(snap("<memory snapshot='manual'/>"), 'XML_UNSUPPORTED', /^\/domainsnapshot\/memory\/@snapshot: 'manual' is a disk snapshot mode/);
  fails(snap("<memory snapshot='internal' file='/m'/>"), 'XML_CONFLICT', /^\/domainsnapshot\/memory\/@file: a memory file \('\/m'\) requires snapshot='external', not 'internal'/);
  fails(snap("<memory snapshot='external'/>"), 'XML_MISSING', /^\/domainsnapshot\/memory\/@file: an external memory snapshot needs file=/);
  fails(snap("<memory file='mem.img'/>"), 'XML_INVALID_VALUE', /@file: 'mem.img' must be an absolute path/);
  fails(record("<memory snapshot='internal'/>").replace('running', 'shutoff'), 'XML_CONFLICT', /memory cannot be saved \('internal'\) in a snapshot whose state is 'shutoff'/, 'redefine');
});

test('record defaults: the memory follows the state; a file means external', () => {
  const mem = (xml: string) => snapshotDefaults(parseSnapshotXml(xml), { mode: 'redefine' }).memory;
  assert.deepEqual(mem(record('')), { snapshot: 'internal' });
  assert.deepEqual(mem(record('').replace('running', 'disk-snapshot')), { snapshot: 'no' });
  assert.deepEqual(mem(record("<memory file='/m'/>")), { snapshot: 'external', file: '/m' });
  // In create mode the memory is left to prepareSnapshotCreate, which knows the domain's state.
  assert.equal(snapshotDefaults(parseSnapshotXml(snap('')), { mode: 'create', now: 1 }).memory, undefined);
});

test('disk rules', () => {
  fails(snap("<disks><disk name='vda' type='dir'/></disks>"), 'XML_UNSUPPORTED', /^\/domainsnapshot\/disks\/disk\/@type: a disk snapshot cannot be of type 'dir'/);
  fails(snap("<disks><disk name='vda' type='volume'/></disks>"), 'XML_UNSUPPORTED', /type 'volume'/);
  fails(snap("<disks><disk name='vda'><source file='rel/overlay.qcow2'/></disk></disks>"), 'XML_INVALID_VALUE', /disk snapshot image path 'rel\/overlay.qcow2' must be absolute/);
  fails(snap("<disks><disk name='vda'/><disk name='vdb' snapshot='internal'><source file='/o'/></disk></disks>"), 'XML_CONFLICT', /^\/domainsnapshot\/disks\/disk\[2\]\/@snapshot: the file '\/o' for disk 'vdb' requires snapshot='external', not 'internal'/);
  fails(snap("<disks><disk name='vda' type='block'><source file='/o'/></disk></disks>"), 'XML_UNSUPPORTED', /source\/@file: a disk snapshot of type 'block' does not take 'file'/);
  fails(snap("<disks><disk name='vda' type='network'><source name='pool/img'/></disk></disks>"), 'XML_MISSING', /source\/@protocol: a network disk snapshot needs/);
  fails(snap("<disks><disk name='vda'><source file='/o'><host name='h'/></source></disk></disks>"), 'XML_UNSUPPORTED', /source\/host: .* does not take <host>/);
  fails(snap('<disks><disk/></disks>'), 'XML_MISSING', /disk\/@name: <disk> needs the attribute 'name'/);
});

test('create mode: what records a taken snapshot is replaced, not read', () => {
  const xml = record("<parent><name>p</name></parent><domain><uuid>9d37b878-a7cc-9f9a-b78f-49b3abad25a8</uuid></domain><cookie><cpu mode='custom'/></cookie><active>1</active>");
  const def = snapshotDefaults(parseSnapshotXml(xml), { mode: 'create', now: 42 });
  assert.deepEqual(def, { name: 's', creationTime: 42 });
  const kept = snapshotDefaults(parseSnapshotXml(xml), { mode: 'metadata' });
  assert.equal(kept.parent?.name, 'p');
  assert.equal(kept.active, '1');
  assert.equal(snapshotDefaults(parseSnapshotXml(xml), { mode: 'redefine' }).active, undefined, '<active> is only read from metadata');
});

test('a full embedded domain and <inactiveDomain> go through the domain schema; the cookie is kept verbatim', () => {
  const dom = "<domain type='qemu'><name>g</name><memory>1048576</memory><os><type>hvm</type></os><devices><disk type='file'><source file='/g.qcow2'/><target dev='vda'/></disk></devices></domain>";
  const xml = record(`<memory snapshot='internal'/>${dom}${dom.replace(/domain/g, 'inactiveDomain')}<cookie><cpu mode='custom' match='exact'><model>qemu64</model></cpu><allowReboot value='yes'/></cookie><active>0</active>`);
  const def = snapshotDefaults(parseSnapshotXml(xml), { mode: 'metadata' });
  validateSnapshot(def, 'metadata');
  assert.ok(def.domain && 'def' in def.domain);
  assert.equal(def.domain.def.devices?.disk?.[0]?.source?.file, '/g.qcow2');
  assert.equal(def.inactiveDomain?.memory?.value, 1048576);
  const out = formatSnapshotXml(def);
  assert.match(out, /\n {2}<domain type='qemu'>\n {4}<name>g<\/name>\n/);
  assert.match(out, /\n {2}<inactiveDomain type='qemu'>\n/);
  assert.match(out, /<cookie>\n {4}<cpu mode='custom' match='exact'>\n {6}<model>qemu64<\/model>\n {4}<\/cpu>\n {4}<allowReboot value='yes'\/>\n {2}<\/cookie>\n {2}<active>0<\/active>\n<\/domainsnapshot>\n$/);
  assert.deepEqual(parseSnapshotXml(out), def);
  // The domain's own refusals keep their full path.
  fails(xml.replace('<target dev=\'vda\'/>', "<target dev='vda'/><frob/>"), 'XML_UNSUPPORTED', /^\/domainsnapshot\/domain\/devices\/disk\/frob: /, 'metadata');
  fails(record("<domain><uuid>9d37b878-a7cc-9f9a-b78f-49b3abad25a8</uuid><name>g</name></domain>"), 'XML_MISSING', /^\/domainsnapshot\/domain\/@type: .* needs type='qemu' or 'kvm'/, 'redefine');
  fails(record('<domain></domain>'), 'XML_MISSING', /^\/domainsnapshot\/domain: <domain> needs a <uuid> element/, 'redefine');
});
