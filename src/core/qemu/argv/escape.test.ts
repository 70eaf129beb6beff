import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeOptValue, jsonOpt, keyval } from './escape.js';
import { formatArgsText, shellQuote } from './format.js';
import { splitQemuOpts as qemuSplit } from '../../../../tests/golden/normalize.js';

test('commas are doubled', () => {
  assert.equal(escapeOptValue('a,b'), 'a,,b');
  assert.equal(escapeOptValue(',,'), ',,,,');
});

test('a path with a comma cannot inject options', () => {
  const evil = '/tmp/x,readonly=on,file=/etc/shadow';
  const s = keyval('socket', [['id', 'charmonitor'], ['path', evil], ['server', true]]);
  const parts = qemuSplit(s);
  assert.deepEqual(parts, ['socket', 'id=charmonitor', `path=${evil}`, 'server=on']);
});

test('quotes, spaces and a leading dash stay inside the value', () => {
  for (const v of [`/tmp/it's "quoted"`, '/tmp/with space', '-daemonize', '--', 'x=y']) {
    const parts = qemuSplit(keyval(undefined, [['path', v], ['k', 1]]));
    assert.deepEqual(parts, [`path=${v}`, 'k=1']);
  }
});

test('line breaks and NUL are refused, not passed', () => {
  assert.throws(() => escapeOptValue('a\nb'), /line break/);
  assert.throws(() => escapeOptValue('a\0b'), /NUL/);
  assert.throws(() => jsonOpt({ filename: 'x\ny' }), /line break/);
});

test('an implied first value is escaped too', () => {
  assert.deepEqual(qemuSplit(keyval('pc,accel=kvm', [['usb', false]])), ['pc,accel=kvm', 'usb=off']);
});

test('JSON options need no escaping and keep key order', () => {
  assert.equal(jsonOpt({ driver: 'file', filename: '/a,b', skip: undefined }), '{"driver":"file","filename":"/a,b"}');
});

test('shell quoting matches libvirt .args files', () => {
  assert.equal(shellQuote('timestamp=on'), 'timestamp=on');
  assert.equal(shellQuote('{"id":"audio1"}'), `'{"id":"audio1"}'`);
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.equal(shellQuote('[::1]:0'), `'[::1]:0'`);
  const text = formatArgsText({ binary: '/usr/bin/qemu-system-x86_64', env: { LC_ALL: 'C' }, args: ['-name', 'guest=a', '-S', '-msg', 'timestamp=on'] });
  assert.equal(text, 'LC_ALL=C \\\n/usr/bin/qemu-system-x86_64 \\\n-name guest=a \\\n-S \\\n-msg timestamp=on\n');
});
