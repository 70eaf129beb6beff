import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtkitError } from '../errors.js';
import { parsePoolXml, parseVolumeXml, prepareVolume } from '../xml/storage/index.js';
import type { VolumeDef } from '../xml/storage/index.js';
import { planImport, planLinkedClone, planVolumeCreate } from './qemu-img-plan.js';

const pool = parsePoolXml("<pool type='dir'><name>p</name><target><path>/srv/img</path></target></pool>");
const vol = (inner: string, name = 'v.img'): VolumeDef => prepareVolume(parseVolumeXml(`<volume><name>${name}</name>${inner}</volume>`), pool);
const refusedAt = (fn: () => unknown, code: string, path: string): void => {
  assert.throws(fn, (e: unknown) => e instanceof VirtkitError && e.code === code && e.details?.['path'] === path);
};
const UUID = "uuid='0a0b0c0d-0000-4000-8000-000000000001'";

test('vol-create-as: a raw volume is sparse, sized in KiB rounded up', () => {
  const p = planVolumeCreate({ pool, vol: vol("<capacity unit='b'>1025</capacity>") });
  assert.deepEqual(p, { target: '/srv/img/v.img', steps: [{ kind: 'create', argv: ['qemu-img', 'create', '-f', 'raw', '/srv/img/v.img', '2K'] }] });
});

test('a qcow2 volume on a backing volume names the backing format; without one it is refused, never probed', () => {
  const v = vol("<capacity unit='G'>1</capacity><target><format type='qcow2'/></target><backingStore><path>/srv/img/base.qcow2</path><format type='qcow2'/></backingStore>");
  assert.deepEqual(planVolumeCreate({ pool, vol: v }).steps[0]?.argv, [
    'qemu-img', 'create', '-f', 'qcow2', '-b', '/srv/img/base.qcow2', '-o', 'backing_fmt=qcow2,compat=0.10', '/srv/img/v.img', '1048576K',
  ]);
  const noFmt = vol("<target><format type='qcow2'/></target><backingStore><path>/srv/img/base</path></backingStore>");
  refusedAt(() => planVolumeCreate({ pool, vol: noFmt }), 'XML_MISSING', '/volume/backingStore/format');
  const raw = vol("<capacity>1</capacity><backingStore><path>/srv/img/base</path><format type='raw'/></backingStore>");
  refusedAt(() => planVolumeCreate({ pool, vol: raw }), 'XML_CONFLICT', '/volume/backingStore');
});

test('refusals: no capacity, preallocation on raw or with a backing store, qcow2 settings on raw, rbd pools', () => {
  refusedAt(() => planVolumeCreate({ pool, vol: vol('') }), 'XML_MISSING', '/volume/capacity');
  refusedAt(() => planVolumeCreate({ pool, vol: vol('<capacity>1</capacity>'), flags: { preallocMetadata: true } }), 'INVALID_ARGUMENT', 'flags.preallocMetadata');
  const backed = vol("<target><format type='qcow2'/></target><backingStore><path>/b</path><format type='raw'/></backingStore>");
  refusedAt(() => planVolumeCreate({ pool, vol: backed, flags: { preallocMetadata: true } }), 'INVALID_ARGUMENT', 'flags.preallocMetadata');
  refusedAt(() => planVolumeCreate({ pool, vol: vol('<capacity>1</capacity><target><compat>1.1</compat></target>') }), 'XML_CONFLICT', '/volume/target/compat');
  refusedAt(() => planVolumeCreate({ pool, vol: vol("<capacity>1</capacity><target><format type='dmg'/></target>") }), 'XML_UNSUPPORTED', '/volume/target/format/@type');
  const rbd = parsePoolXml("<pool type='rbd'><name>c</name><source><name>rbd</name><host name='m'/></source></pool>");
  const rv = prepareVolume(parseVolumeXml('<volume><name>r</name><capacity>1</capacity></volume>'), rbd);
  refusedAt(() => planVolumeCreate({ pool: rbd, vol: rv }), 'UNSUPPORTED_OPERATION', '/volume');
});

test('metadata preallocation becomes falloc when the allocation covers the capacity (libvirt)', () => {
  const v = vol("<capacity unit='M'>1</capacity><target><format type='qcow2'/></target>");
  assert.deepEqual(planVolumeCreate({ pool, vol: v, flags: { preallocMetadata: true } }).steps[0]?.argv.slice(4, 6), ['-o', 'preallocation=falloc,compat=0.10']);
});

test('LUKS: raw becomes -f luks, qcow2 gets encrypt.*; the key comes from a file, commas escaped', () => {
  const raw = vol(`<capacity unit='M'>16</capacity><target><encryption format='luks'><secret type='passphrase' ${UUID}/><cipher name='aes' size='256' mode='xts' hash='sha256'/><ivgen name='plain64' hash='sha256'/></encryption></target>`);
  assert.deepEqual(planVolumeCreate({ pool, vol: raw, secretFile: '/run/k,1' }).steps[0]?.argv, [
    'qemu-img', 'create', '-f', 'luks', '--object', 'secret,id=v.img_encrypt0,file=/run/k,,1',
    '-o', 'key-secret=v.img_encrypt0,cipher-alg=aes-256,cipher-mode=xts,hash-alg=sha256,ivgen-alg=plain64,ivgen-hash-alg=sha256',
    '/srv/img/v.img', '16384K',
  ]);
  const q = vol(`<capacity unit='M'>16</capacity><target><format type='qcow2'/><encryption format='luks'><secret type='passphrase' ${UUID}/></encryption></target>`, 'a b');
  assert.deepEqual(planVolumeCreate({ pool, vol: q, secretFile: '/run/k' }).steps[0]?.argv.slice(4), [
    '--object', 'secret,id=volume_encrypt0,file=/run/k', '-o', 'encrypt.format=luks,encrypt.key-secret=volume_encrypt0,compat=0.10', '/srv/img/a b', '16384K',
  ]);
  refusedAt(() => planVolumeCreate({ pool, vol: q }), 'INVALID_ARGUMENT', 'secretFile');
});

test('vol-create-from into or out of a LUKS volume: create at size, then convert with --image-opts', () => {
  const src = { pool, vol: vol("<capacity unit='M'>4</capacity><target><format type='qcow2'/></target>", 'src.qcow2') };
  const dst = vol(`<capacity unit='M'>4</capacity><target><encryption format='luks'><secret type='passphrase' ${UUID}/></encryption></target>`, 'dst');
  const p = planVolumeCreate({ pool, vol: dst, input: src, secretFile: '/run/k' });
  assert.deepEqual(p.steps.map((s) => s.argv), [
    ['qemu-img', 'create', '-f', 'luks', '--object', 'secret,id=dst_encrypt0,file=/run/k', '-o', 'key-secret=dst_encrypt0', '/srv/img/dst', '4096K'],
    ['qemu-img', 'convert', '--image-opts', '-n', '--target-image-opts', '--object', 'secret,id=dst_encrypt0,file=/run/k',
      'driver=qcow2,file.filename=/srv/img/src.qcow2', 'driver=luks,file.filename=/srv/img/dst,key-secret=dst_encrypt0'],
  ]);
});

test('a full clone converts without the backing store; -p only when asked', () => {
  const src = { pool, vol: vol("<capacity unit='M'>4</capacity><target><format type='qcow2'/></target><backingStore><path>/srv/img/base</path><format type='raw'/></backingStore>", 's') };
  const dst = vol("<target><format type='qcow2'/><compat>1.1</compat></target>", 'd');
  assert.deepEqual(planVolumeCreate({ pool, vol: dst, input: src, flags: { progress: true } }).steps[0]?.argv, [
    'qemu-img', 'convert', '-p', '-f', 'qcow2', '-O', 'qcow2', '-o', 'compat=1.1', '/srv/img/s', '/srv/img/d',
  ]);
  const srcNoFmt = { pool, vol: { ...src.vol, target: { path: '/srv/img/s' } } };
  refusedAt(() => planVolumeCreate({ pool, vol: dst, input: srcNoFmt }), 'XML_MISSING', 'input:/volume/target/format');
});

test('a linked clone is a qcow2 overlay: -b SRC -F FMT; the source format is required', () => {
  const dst = vol("<target><format type='qcow2'/></target>", 'clone.qcow2');
  assert.deepEqual(planLinkedClone({ pool, vol: dst, source: { path: '/srv/img/base.qcow2', format: 'qcow2' } }).steps[0]?.argv, [
    'qemu-img', 'create', '-f', 'qcow2', '-b', '/srv/img/base.qcow2', '-F', 'qcow2', '/srv/img/clone.qcow2',
  ]);
  refusedAt(() => planLinkedClone({ pool, vol: dst, source: { path: '/srv/img/base', format: '' } }), 'INVALID_ARGUMENT', 'source.format');
  refusedAt(() => planLinkedClone({ pool, vol: vol('', 'raw.img'), source: { path: '/b', format: 'raw' } }), 'XML_CONFLICT', '/volume/target/format/@type');
});

test('an import converts vmdk/vdi/raw/qcow2 into a pool with progress', () => {
  const dst = vol("<target><format type='qcow2'/></target>", 'disk.qcow2');
  for (const format of ['vmdk', 'vdi', 'raw', 'qcow2']) {
    assert.deepEqual(planImport({ pool, vol: dst, source: { path: `/home/u/disk.${format}`, format } }).steps[0]?.argv, [
      'qemu-img', 'convert', '-p', '-O', 'qcow2', '-f', format, `/home/u/disk.${format}`, '/srv/img/disk.qcow2',
    ]);
  }
  refusedAt(() => planImport({ pool, vol: dst, source: { path: 'rel.vmdk', format: 'vmdk' } }), 'INVALID_ARGUMENT', 'source.path');
  refusedAt(() => planImport({ pool, vol: dst, source: { path: '/x.iso', format: 'dmg' } }), 'INVALID_ARGUMENT', 'source.format');
});
