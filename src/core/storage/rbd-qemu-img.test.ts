import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rbdCopyArgs, rbdExportArgs, rbdImageOpts, rbdImportArgs, rbdWipeArgs } from './rbd-qemu-img.js';

test('an rbd target: conf= and user=, never a key; commas doubled so a name adds no option', () => {
  assert.equal(rbdImageOpts({ pool: 'vk', image: 'disk', conf: '/tmp/d/ceph.conf' }), 'driver=rbd,pool=vk,image=disk,conf=/tmp/d/ceph.conf');
  assert.equal(rbdImageOpts({ pool: 'vk', image: 'a,key=x', conf: '/t,mp/ceph.conf', user: 'virtkit' }),
    'driver=rbd,pool=vk,image=a,,key=x,conf=/t,,mp/ceph.conf,user=virtkit');
});

test('wipe: a zero-reading null-co source of the image size onto the existing image', () => {
  assert.deepEqual(rbdWipeArgs({ pool: 'vk', image: 'd', conf: '/c' }, 16777216),
    ['convert', '-n', '--image-opts', 'driver=null-co,size=16777216,read-zeroes=on', '--target-image-opts', 'driver=rbd,pool=vk,image=d,conf=/c']);
});

test('import: the source format explicit, -p only when progress is wanted, no -O', () => {
  assert.deepEqual(rbdImportArgs({ path: '/p/a.qcow2', format: 'qcow2' }, { pool: 'vk', image: 'd', conf: '/c', user: 'u' }, { progress: true }),
    ['convert', '-n', '-p', '-f', 'qcow2', '/p/a.qcow2', '--target-image-opts', 'driver=rbd,pool=vk,image=d,conf=/c,user=u']);
  assert.ok(!rbdImportArgs({ path: '/a', format: 'raw' }, { pool: 'vk', image: 'd', conf: '/c' }).includes('-p'));
});

test('copy across rbd pools: each side its own conf and user', () => {
  assert.deepEqual(rbdCopyArgs({ pool: 'a', image: 'x', conf: '/c1', user: 'u1' }, { pool: 'b', image: 'y', conf: '/c2' }),
    ['convert', '-n', '--image-opts', 'driver=rbd,pool=a,image=x,conf=/c1,user=u1', '--target-image-opts', 'driver=rbd,pool=b,image=y,conf=/c2']);
});

test("export into a file: the file's format explicit, its path escaped; a line break in a name refused", () => {
  assert.deepEqual(rbdExportArgs({ pool: 'a', image: 'x', conf: '/c' }, { path: '/p/n,o.qcow2', format: 'qcow2' }, { progress: true }),
    ['convert', '-n', '-p', '--image-opts', 'driver=rbd,pool=a,image=x,conf=/c', '--target-image-opts', 'driver=qcow2,file.driver=file,file.filename=/p/n,,o.qcow2']);
  assert.throws(() => rbdImageOpts({ pool: 'a', image: 'x\ny', conf: '/c' }), /contains a NUL or line break/);
});
