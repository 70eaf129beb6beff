import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QmpDecoder, encodeCommand } from './codec.js';
import { classifyMessage } from './messages.js';
import { isQmpEvent } from './events.js';
import { qmpCommandFailed, qmpDisconnected, qmpErrorClass, qmpTimeout } from './errors.js';

// Lines as QEMU 7.2 writes them (captured from qemu-system-x86_64 7.2.22).
const GREETING = '{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian 1:7.2+dfsg-7+deb12u18+b3"}, "capabilities": ["oob"]}}\r\n';
const RETURN = '{"return": {"status": "prelaunch", "singlestep": false, "running": false}, "id": "vk-2"}\r\n';
const ERROR = '{"id": "vk-3", "error": {"class": "CommandNotFound", "desc": "The command nope has not been found"}}\r\n';
const EVENT = '{"timestamp": {"seconds": 1795572972, "microseconds": 759234}, "event": "SHUTDOWN", "data": {"guest": false, "reason": "host-qmp-quit"}}\r\n';

test('decodes the four kinds of message', () => {
  const d = new QmpDecoder();
  const msgs = d.push(GREETING + RETURN + ERROR + EVENT);
  assert.deepEqual(msgs, [
    { kind: 'greeting', version: { qemu: { major: 7, minor: 2, micro: 22 }, package: 'Debian 1:7.2+dfsg-7+deb12u18+b3' }, capabilities: ['oob'] },
    { kind: 'return', id: 'vk-2', value: { status: 'prelaunch', singlestep: false, running: false } },
    { kind: 'error', id: 'vk-3', errorClass: 'CommandNotFound', desc: 'The command nope has not been found' },
    { kind: 'event', event: 'SHUTDOWN', data: { guest: false, reason: 'host-qmp-quit' }, timestamp: { seconds: 1795572972, microseconds: 759234 } },
  ]);
  assert.equal(d.pending, 0);
});

test('a message split over many chunks comes out once, when its newline arrives', () => {
  const d = new QmpDecoder();
  const all = RETURN + EVENT;
  const out = [];
  for (let i = 0; i < all.length; i += 7) out.push(...d.push(all.slice(i, i + 7)));
  assert.deepEqual(out.map((m) => m.kind), ['return', 'event']);
  // Nothing until the newline.
  const d2 = new QmpDecoder();
  assert.deepEqual(d2.push(RETURN.slice(0, -2)), []);
  assert.ok(d2.pending > 0);
  assert.deepEqual(d2.push('\r\n').map((m) => m.kind), ['return']);
});

test('a UTF-8 character split between two byte chunks is decoded whole', () => {
  const bytes = Buffer.from('{"return": "café ✓"}\n', 'utf8');
  const cut = bytes.indexOf(0xc3) + 1; // inside the two-byte é
  const d = new QmpDecoder();
  assert.deepEqual(d.push(bytes.subarray(0, cut)), []);
  assert.deepEqual(d.push(bytes.subarray(cut)), [{ kind: 'return', id: undefined, value: 'café ✓' }]);
});

test('several messages and a partial one in one chunk', () => {
  const d = new QmpDecoder();
  const first = d.push(EVENT + EVENT + RETURN.slice(0, 10));
  assert.equal(first.length, 2);
  assert.deepEqual(d.push(RETURN.slice(10)).map((m) => m.kind), ['return']);
});

test('blank lines are skipped; garbage is reported, not thrown', () => {
  const d = new QmpDecoder();
  const msgs = d.push('\n\r\n{"nope": 1}\n[1]\n{not json\n{"error": "x"}\n{"event": 3}\n{"QMP": {}}\n');
  assert.deepEqual(msgs.map((m) => m.kind), Array(6).fill('invalid'));
  const reasons = msgs.map((m) => (m.kind === 'invalid' ? m.reason : ''));
  assert.match(reasons[0] ?? '', /none of return, error, event or QMP/);
  assert.match(reasons[1] ?? '', /not a JSON object/);
  assert.match(reasons[2] ?? '', /not JSON/);
  assert.match(reasons[3] ?? '', /error without class/);
  assert.match(reasons[4] ?? '', /event without a name/);
  assert.match(reasons[5] ?? '', /greeting without a version/);
});

test('a runaway line without a newline is reported and dropped', () => {
  const d = new QmpDecoder({ maxLineBytes: 100 });
  const msgs = d.push('{"return": "' + 'x'.repeat(200));
  assert.equal(msgs.length, 1);
  assert.equal(msgs[0]?.kind, 'invalid');
  assert.equal(d.pending, 0);
  // The stream goes on after the dropped line.
  assert.deepEqual(d.push('"}\n' + RETURN).map((m) => m.kind), ['invalid', 'return']);
});

test('numeric ids are kept, other id values are dropped', () => {
  assert.deepEqual(classifyMessage('{"return": {}, "id": 7}'), { kind: 'return', id: 7, value: {} });
  assert.deepEqual(classifyMessage('{"return": {}, "id": {"a": 1}}'), { kind: 'return', id: undefined, value: {} });
});

test('encodeCommand writes one line with the id and only the arguments given', () => {
  assert.equal(encodeCommand('vk-1', 'query-status'), '{"execute":"query-status","id":"vk-1"}\n');
  const line = encodeCommand('vk-2', 'human-monitor-command', { 'command-line': 'info "x"\nquit' });
  assert.equal(line.indexOf('\n'), line.length - 1, 'a newline inside an argument must be escaped');
  assert.deepEqual(JSON.parse(line), { execute: 'human-monitor-command', arguments: { 'command-line': 'info "x"\nquit' }, id: 'vk-2' });
});

test('isQmpEvent narrows by name', () => {
  const [ev] = new QmpDecoder().push(EVENT);
  assert.ok(ev?.kind === 'event');
  assert.ok(isQmpEvent(ev, 'SHUTDOWN'));
  assert.equal(ev.data.reason, 'host-qmp-quit');
  assert.equal(isQmpEvent(ev, 'RESET'), false);
});

test('QMP errors carry stable codes and details', () => {
  const failed = qmpCommandFailed('device_del', 'DeviceNotFound', "Device 'x' not found");
  assert.equal(failed.code, 'QMP_COMMAND_FAILED');
  assert.deepEqual(failed.details, { class: 'DeviceNotFound', desc: "Device 'x' not found", command: 'device_del' });
  assert.equal(qmpErrorClass(failed), 'DeviceNotFound');
  assert.equal(qmpErrorClass(new Error('x')), undefined);
  const t = qmpTimeout('query-status', 50);
  assert.equal(t.code, 'QMP_TIMEOUT');
  assert.equal(qmpErrorClass(t), undefined);
  const d = qmpDisconnected('closed by QEMU', 'cont');
  assert.equal(d.code, 'QMP_DISCONNECTED');
  assert.deepEqual(d.details, { reason: 'closed by QEMU', command: 'cont' });
  assert.match(d.message, /before QEMU answered 'cont'/);
});
