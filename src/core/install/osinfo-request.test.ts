import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtkitError } from '../errors.js';
import { parseInstallArgv } from '../options/install-argv.js';
import { detectedOrFallback, osinfoRequest } from './osinfo-request.js';
import { genericOs } from '../osinfo/resolve.js';

const req = (...argv: string[]) => osinfoRequest(parseInstallArgv(argv));

test('--osinfo NAME and its key forms name the OS; generic and none are the generic OS', () => {
  assert.deepEqual(req('--osinfo', 'debian11'), { kind: 'name', name: 'debian11' });
  assert.deepEqual(req('--os-variant', 'short-id=win10'), { kind: 'name', name: 'win10' });
  assert.deepEqual(req('--osinfo', 'id=http://debian.org/debian/11'), { kind: 'name', name: 'http://debian.org/debian/11' });
  assert.deepEqual(req('--osinfo', 'generic'), { kind: 'generic' });
});

test('detect=on reads the --cdrom or local --location media; without media it falls back, or fails with require=on', () => {
  assert.deepEqual(req('--cdrom', '/i.iso', '--osinfo', 'detect=on,name=fedora37'), { kind: 'detect', media: '/i.iso', from: 'cdrom', require: false, fallback: 'fedora37' });
  assert.deepEqual(req('--location', '/d.iso', '--osinfo', 'detect=on,require=on'), { kind: 'detect', media: '/d.iso', from: 'location', require: true, fallback: null });
  assert.deepEqual(req('--import', '--osinfo', 'detect=on'), { kind: 'generic' });
  assert.deepEqual(req('--import', '--osinfo', 'detect=on,name=debian11'), { kind: 'name', name: 'debian11' });
  assert.throws(() => req('--import', '--osinfo', 'detect=on,require=on'), (e: unknown) => e instanceof VirtkitError && /no install media/.test(e.message));
});

test('without --osinfo: media installs detect with require=on; other installs must name the OS (virt-install 4.1)', () => {
  assert.deepEqual(req('--cdrom', '/i.iso'), { kind: 'detect', media: '/i.iso', from: 'cdrom', require: true, fallback: null });
  assert.throws(() => req('--import'), (e: unknown) => e instanceof VirtkitError && e.code === 'INVALID_ARGUMENT' && /^--os-variant\/--osinfo OS name is required/.test(e.message));
});

test('after detection: the OS found, else the fallback, else generic; require=on refuses', () => {
  const os = genericOs();
  const detect = { kind: 'detect', media: '/i.iso', from: 'cdrom', require: false, fallback: null } as const;
  assert.equal(detectedOrFallback(detect, os), os);
  assert.deepEqual(detectedOrFallback(detect, null), { kind: 'generic' });
  assert.deepEqual(detectedOrFallback({ ...detect, fallback: 'debian11' }, null), { kind: 'name', name: 'debian11' });
  assert.throws(() => detectedOrFallback({ ...detect, require: true }, null), /Could not detect the OS of \/i.iso/);
});

test('--osinfo list asks for the list', () => {
  assert.deepEqual(req('--osinfo', 'list'), { kind: 'list' });
});
