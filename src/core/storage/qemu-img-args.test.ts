import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isVirtkitError } from '../errors.js';
import { checkArgs, commitArgs, convertArgs, createArgs, infoArgs, mapArgs, rebaseArgs, resizeArgs, snapshotArgs } from './qemu-img-args.js';

test('every operation names the format and puts paths after --', () => {
  const img = { path: '-x.qcow2', format: 'qcow2' };
  assert.deepEqual(infoArgs(img, { forceShare: true }), ['info', '--output=json', '-f', 'qcow2', '-U', '--', '-x.qcow2']);
  assert.deepEqual(infoArgs(img, { backingChain: true }), ['info', '--output=json', '-f', 'qcow2', '--backing-chain', '--', '-x.qcow2']);
  assert.deepEqual(checkArgs(img, { repair: 'leaks' }), ['check', '--output=json', '-f', 'qcow2', '-r', 'leaks', '--', '-x.qcow2']);
  assert.deepEqual(mapArgs(img), ['map', '--output=json', '-f', 'qcow2', '--', '-x.qcow2']);
  assert.deepEqual(resizeArgs(img, 1 << 30, { shrink: true }), ['resize', '-f', 'qcow2', '--shrink', '--', '-x.qcow2', '1073741824']);
  assert.deepEqual(resizeArgs(img, 1 << 30, { preallocation: 'falloc' }), ['resize', '-f', 'qcow2', '--preallocation=falloc', '--', '-x.qcow2', '1073741824']);
  assert.deepEqual(rebaseArgs(img, { path: '/b.raw', format: 'raw' }, { unsafe: true }), ['rebase', '-p', '-f', 'qcow2', '-u', '-b', '/b.raw', '-F', 'raw', '--', '-x.qcow2']);
  assert.deepEqual(rebaseArgs(img, null), ['rebase', '-p', '-f', 'qcow2', '-b', '', '--', '-x.qcow2']);
  assert.deepEqual(commitArgs(img), ['commit', '-p', '-f', 'qcow2', '--', '-x.qcow2']);
  assert.deepEqual(snapshotArgs({ path: '/p/a,b', format: 'qcow2' }, 'create', 's1'), ['snapshot', '--image-opts', '-c', 's1', '--', 'driver=qcow2,file.filename=/p/a,,b']);
});

test('create: backing with its format, options with commas escaped, a key from a file', () => {
  assert.deepEqual(
    createArgs({ path: '/p/o.qcow2', format: 'qcow2', size: 1048576, backing: { path: '/p/b,x.raw', format: 'raw' }, options: { compat: '1.1', lazy_refcounts: true } }),
    ['create', '-q', '-f', 'qcow2', '-b', '/p/b,x.raw', '-F', 'raw', '-o', 'compat=1.1,lazy_refcounts=on', '--', '/p/o.qcow2', '1048576'],
  );
  assert.deepEqual(
    createArgs({ path: '/p/e.qcow2', format: 'qcow2', size: 4096, secret: { id: 'sec0', file: '/run/k,ey' }, options: { data_file: '/a,b' } }),
    ['create', '-q', '-f', 'qcow2', '--object', 'secret,id=sec0,file=/run/k,,ey', '-o', 'data_file=/a,,b,encrypt.format=luks,encrypt.key-secret=sec0', '--', '/p/e.qcow2', '4096'],
  );
});

test('an encrypted source is named with --image-opts, its path escaped', () => {
  assert.deepEqual(
    convertArgs({ source: { path: '/p/a,b.qcow2', format: 'qcow2', secret: { id: 's', file: '/k' } }, target: { path: '/p/c.qcow2', format: 'qcow2' }, compress: true }),
    ['convert', '-p', '--object', 'secret,id=s,file=/k', '--image-opts', '-O', 'qcow2', '-c', '--', 'driver=qcow2,file.filename=/p/a,,b.qcow2,encrypt.key-secret=s', '/p/c.qcow2'],
  );
  assert.deepEqual(checkArgs({ path: '/l', format: 'luks', secret: { id: 's', file: '/k' } }).slice(-1), ['driver=luks,file.filename=/l,key-secret=s']);
});

test('refused: a format, option name, object id or size that could smuggle arguments', () => {
  const bad = (e: unknown) => isVirtkitError(e) && e.code === 'INVALID_ARGUMENT';
  assert.throws(() => infoArgs({ path: '/x', format: 'raw,file.filename=/etc/shadow' }), bad);
  assert.throws(() => createArgs({ path: '/x', format: 'qcow2', size: 1, options: { 'a=b,c': 1 } }), bad);
  assert.throws(() => createArgs({ path: '/x', format: 'qcow2', size: 1, secret: { id: 'a,b', file: '/k' } }), bad);
  assert.throws(() => resizeArgs({ path: '/x', format: 'raw' }, -1), bad);
  assert.throws(() => createArgs({ path: '/x', format: 'raw', size: 1.5 }), bad);
});
