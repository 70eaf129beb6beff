import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cloneName, clonePath, generateName, nvramPath } from './names.js';

const takenOf = (...names: string[]) => (n: string) => names.includes(n);

test('generateName: the base, then base-1, base-2 ... with the suffix after the number', () => {
  assert.equal(generateName('foo', takenOf()), 'foo');
  assert.equal(generateName('/i/foo', takenOf('/i/foo.img', '/i/foo-1.img'), { suffix: '.img' }), '/i/foo-2.img');
  assert.equal(generateName('x', takenOf(), { forceNumber: true, start: 3, sep: '' }), 'x3');
});

test('cloneName: NAME-clone, NAME-clone1, and never NAME-clone-clone (virt-clone)', () => {
  assert.equal(cloneName('web', takenOf()), 'web-clone');
  assert.equal(cloneName('web', takenOf('web-clone')), 'web-clone1');
  assert.equal(cloneName('web', takenOf('web-clone', 'web-clone1')), 'web-clone2');
  assert.equal(cloneName('web-clone', takenOf()), 'web-clone1');
  assert.equal(cloneName('web-clone3', takenOf()), 'web-clone4');
  assert.equal(cloneName('web-clone3', takenOf('web-clone4')), 'web-clone5');
});

test('clonePath: -clone before the extension, a number when taken, the new name for a file named after the domain', () => {
  assert.equal(clonePath('vm', 'vm-clone', '/images/disk.qcow2', takenOf()), '/images/disk-clone.qcow2');
  assert.equal(clonePath('vm', 'vm-clone', '/images/disk.qcow2', takenOf('/images/disk-clone.qcow2')), '/images/disk-clone-1.qcow2');
  assert.equal(clonePath('web', 'web2', '/images/web.img', takenOf()), '/images/web2.img');
  // An "extension" longer than 7 characters is part of the name.
  assert.equal(clonePath('vm', 'n', '/images/disk.longextension', takenOf()), '/images/disk.longextension-clone');
  assert.equal(clonePath('vm', 'n', '/dev/vg/lv0', takenOf()), '/dev/vg/lv0-clone');
  // A bare volume name works the same way.
  assert.equal(clonePath('vm', 'n', 'tiny.qcow2', takenOf('tiny-clone.qcow2')), 'tiny-clone-1.qcow2');
});

test('nvramPath: NEWNAME_VARS beside the original, its extension kept, .fd when it has none', () => {
  assert.equal(nvramPath('/var/lib/nvram/vm_VARS.fd', 'new'), '/var/lib/nvram/new_VARS.fd');
  assert.equal(nvramPath('/var/lib/nvram/vm.qcow2', 'new'), '/var/lib/nvram/new_VARS.qcow2');
  assert.equal(nvramPath('/nv/vars', 'new'), '/nv/new_VARS.fd');
});
