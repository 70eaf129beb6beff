// The connection against a scripted QMP peer over an in-memory stream: the
// cases real QEMU does not produce on demand (replies out of order, a reply
// that never comes, garbage on the wire). Real QEMU: tests/integration/qmp/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import { VirtkitError } from '../../core/errors.js';
import { openQmp } from './connection.js';
import type { QmpConnection } from './connection.js';

const GREETING = '{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "test"}, "capabilities": ["oob"]}}\r\n';

interface Sent { execute: string; id: string; arguments?: Record<string, unknown> }

/** A fake QEMU: records the commands it gets; the test answers them by hand. */
class Peer {
  readonly sent: Sent[] = [];
  private waiters: (() => void)[] = [];
  readonly stream = new Duplex({
    read: () => undefined,
    write: (chunk: Buffer, _enc, cb) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue;
        const cmd = JSON.parse(line) as Sent;
        // Negotiation is answered at once so that every test starts connected.
        if (cmd.execute === 'qmp_capabilities') this.send({ return: {}, id: cmd.id });
        else this.sent.push(cmd);
      }
      for (const w of this.waiters.splice(0)) w();
      cb();
    },
  });

  send(obj: unknown): void {
    this.stream.push(`${typeof obj === 'string' ? obj : JSON.stringify(obj)}\r\n`);
  }

  async commands(n: number): Promise<Sent[]> {
    while (this.sent.length < n) await new Promise<void>((r) => this.waiters.push(r));
    return this.sent;
  }
}

async function connected(): Promise<{ peer: Peer; conn: QmpConnection }> {
  const peer = new Peer();
  peer.stream.push(GREETING);
  const conn = await openQmp(peer.stream, { timeoutMs: 1000 });
  return { peer, conn };
}

const code = (e: unknown) => (e instanceof VirtkitError ? e.code : String(e));

test('handshake reads the greeting and negotiates', async () => {
  const { conn } = await connected();
  assert.deepEqual(conn.version.qemu, { major: 7, minor: 2, micro: 22 });
  assert.equal(conn.isConnected, true);
  await conn.close();
  assert.equal(conn.isConnected, false);
});

test('concurrent commands are matched to replies by id, in any order', async () => {
  const { peer, conn } = await connected();
  const a = conn.execute('query-status');
  const b = conn.execute('query-kvm');
  const c = conn.execute('human-monitor-command', { 'command-line': 'info version' });
  const [sa, sb, sc] = await peer.commands(3);
  assert.deepEqual(sc?.arguments, { 'command-line': 'info version' });
  assert.equal(new Set([sa?.id, sb?.id, sc?.id]).size, 3);
  peer.send({ return: 'text\r\n', id: sc?.id });
  peer.send({ return: { enabled: false, present: true }, id: sb?.id });
  peer.send({ return: { status: 'running', running: true }, id: sa?.id });
  assert.deepEqual(await a, { status: 'running', running: true });
  assert.deepEqual(await b, { enabled: false, present: true });
  assert.equal(await c, 'text\r\n');
  await conn.close();
});

test('an error reply rejects with QMP_COMMAND_FAILED, class, desc and command', async () => {
  const { peer, conn } = await connected();
  const p = conn.execute('device_del', { id: 'nope' });
  const [s] = await peer.commands(1);
  peer.send({ error: { class: 'DeviceNotFound', desc: "Device 'nope' not found" }, id: s?.id });
  await assert.rejects(p, (e: unknown) => e instanceof VirtkitError && e.code === 'QMP_COMMAND_FAILED'
    && e.details?.['class'] === 'DeviceNotFound' && e.details['command'] === 'device_del');
  await conn.close();
});

test('a command without an answer times out; its late reply does not answer the next one', async () => {
  const { peer, conn } = await connected();
  await assert.rejects(conn.execute('query-status', {}, { timeoutMs: 20 }), (e) => code(e) === 'QMP_TIMEOUT');
  const next = conn.execute('query-kvm');
  const [late, second] = await peer.commands(2);
  peer.send({ return: { status: 'running', running: true }, id: late?.id });
  peer.send({ return: { enabled: true, present: true }, id: second?.id });
  assert.deepEqual(await next, { enabled: true, present: true });
  assert.equal(conn.isConnected, true);
  await conn.close();
});

test('events: listeners, a buffering iterator, and waitForEvent with a filter', async () => {
  const { peer, conn } = await connected();
  const seen: string[] = [];
  conn.on('event', (ev) => seen.push(ev.event));
  const it = conn.events();
  const reset = conn.waitForEvent('RESET', { match: (ev) => ev.data.guest });
  const ts = { seconds: 1, microseconds: 2 };
  peer.send({ event: 'STOP', timestamp: ts });
  peer.send({ event: 'RESET', data: { guest: false, reason: 'host-qmp-system-reset' }, timestamp: ts });
  peer.send({ event: 'RESET', data: { guest: true, reason: 'guest-reset' }, timestamp: ts });
  assert.equal((await reset).data.reason, 'guest-reset');
  assert.deepEqual(seen, ['STOP', 'RESET', 'RESET']);
  const first = await it.next();
  assert.equal(first.done === true ? '' : first.value.event, 'STOP');
  await assert.rejects(conn.waitForEvent('RESUME', { timeoutMs: 10 }), (e) => code(e) === 'QMP_TIMEOUT');
  peer.stream.destroy(); // QEMU is gone
  const rest: string[] = [];
  for await (const ev of it) rest.push(ev.event);
  assert.deepEqual(rest, ['RESET', 'RESET'], 'buffered events are delivered, then the loop ends');
});

test('QEMU going away: waiting commands fail, quit succeeds, disconnected fires once', async () => {
  const { peer, conn } = await connected();
  let fired = 0;
  conn.on('disconnected', () => fired++);
  const status = conn.execute('query-status');
  const quit = conn.execute('quit');
  const waiting = conn.waitForEvent('SHUTDOWN');
  await peer.commands(2);
  peer.stream.destroy();
  await assert.rejects(status, (e) => code(e) === 'QMP_DISCONNECTED');
  assert.deepEqual(await quit, {});
  await assert.rejects(waiting, (e) => code(e) === 'QMP_DISCONNECTED');
  assert.deepEqual(await conn.disconnected, { reason: 'closed', detail: 'QEMU closed the monitor socket' });
  await assert.rejects(conn.execute('cont'), (e) => code(e) === 'QMP_DISCONNECTED');
  const it = conn.events();
  assert.equal((await it.next()).done, true);
  assert.equal(fired, 1);
});

test('garbage on the wire drops the connection as a protocol error', async () => {
  const { peer, conn } = await connected();
  const p = conn.execute('query-status');
  await peer.commands(1);
  peer.send('this is not QMP');
  await assert.rejects(p, (e) => code(e) === 'QMP_DISCONNECTED');
  assert.equal((await conn.disconnected).reason, 'protocol-error');
});

test('no greeting: openQmp times out and closes the stream', async () => {
  const peer = new Peer();
  await assert.rejects(openQmp(peer.stream, { timeoutMs: 20 }), (e) => code(e) === 'QMP_TIMEOUT');
  assert.equal(peer.stream.destroyed, true);
});
