// The agent client against a fake agent on a unix socket that speaks QGA's framing: the sync
// handshake (0xFF, stale answers before the sentinel), one command at a time, errors, silence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isVirtkitError } from '../../core/errors.js';
import { GuestAgent } from './guest-agent.js';

interface FakeAgent {
  readonly path: string;
  readonly seen: string[];
  connections: number;
  silent: boolean;
  close(): Promise<void>;
  dropClients(): void;
}

async function fakeAgent(dir: string): Promise<FakeAgent> {
  const path = join(dir, 'org.qemu.guest_agent.0');
  const clients: Socket[] = [];
  const fa: FakeAgent = {
    path, seen: [], connections: 0, silent: false,
    close: () => new Promise<void>((r) => { for (const c of clients) c.destroy(); server.close(() => r()); }),
    dropClients: () => { for (const c of clients.splice(0)) c.destroy(); },
  };
  const server: Server = createServer((c) => {
    fa.connections++;
    clients.push(c);
    // A stale answer from an earlier client, before anything is asked.
    c.write('{"return": "stale"}\n');
    let buf = Buffer.alloc(0);
    c.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (let nl = buf.indexOf(0x0a); nl !== -1; nl = buf.indexOf(0x0a)) {
        let line = buf.subarray(0, nl);
        buf = buf.subarray(nl + 1);
        const ff = line.lastIndexOf(0xff);
        if (ff !== -1) line = line.subarray(ff + 1);
        const msg = JSON.parse(line.toString()) as { execute: string; arguments?: Record<string, unknown> };
        fa.seen.push(msg.execute);
        if (fa.silent) continue;
        if (msg.execute === 'guest-sync-delimited') {
          c.write(Buffer.concat([Buffer.from('{"return": 1}\n'), Buffer.from([0xff]), Buffer.from(`{"return": ${String(msg.arguments?.['id'])}}\n`)]));
        } else if (msg.execute === 'guest-ping') c.write('{"return": {}}\n');
        else if (msg.execute === 'guest-info') c.write('{"return": {"version": "7.2.22"}}\n');
        else if (msg.execute === 'guest-shutdown') { /* no answer on success */ } else {
          c.write(`{"error": {"class": "CommandNotFound", "desc": "The command ${msg.execute} has not been found"}}\n`);
        }
      }
    });
    c.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(path, r));
  return fa;
}

async function withAgent(fn: (fa: FakeAgent, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vk-qga-'));
  const fa = await fakeAgent(dir);
  try {
    await fn(fa, dir);
  } finally {
    await fa.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const code = (c: string) => (e: unknown): boolean => isVirtkitError(e) && e.code === c;

test('syncs once per connection, skips stale answers, runs commands in order', () => withAgent(async (fa) => {
  const a = new GuestAgent({ path: fa.path, guestOpen: () => Promise.resolve(true) });
  try {
    const [p, i] = await Promise.all([a.execute('guest-ping'), a.execute('guest-info')]);
    assert.deepEqual(p, {});
    assert.deepEqual(i, { version: '7.2.22' });
    assert.deepEqual(fa.seen, ['guest-sync-delimited', 'guest-ping', 'guest-info']);
    await assert.rejects(a.execute('guest-nope'), (e: unknown) => code('AGENT_COMMAND_FAILED')(e) && /guest-nope has not been found/.test((e as Error).message));
    // An error answer leaves the connection in step: no new sync.
    assert.deepEqual(await a.execute('guest-ping'), {});
    assert.equal(fa.seen.filter((s) => s === 'guest-sync-delimited').length, 1);
  } finally {
    a.close();
  }
}));

test('a command that answers nothing resolves once written, and the next use syncs again', () => withAgent(async (fa) => {
  const a = new GuestAgent({ path: fa.path, guestOpen: () => Promise.resolve(true) });
  try {
    assert.equal(await a.execute('guest-shutdown', { mode: 'powerdown' }, { noReply: true }), undefined);
    assert.deepEqual(await a.execute('guest-ping'), {});
    assert.deepEqual(fa.seen, ['guest-sync-delimited', 'guest-shutdown', 'guest-sync-delimited', 'guest-ping']);
  } finally {
    a.close();
  }
}));

test('a guest without an open port is AGENT_UNAVAILABLE, and nothing is written', () => withAgent(async (fa) => {
  const a = new GuestAgent({ path: fa.path, guestOpen: () => Promise.resolve(false) });
  await assert.rejects(a.execute('guest-ping'), (e: unknown) => code('AGENT_UNAVAILABLE')(e) && /not connected/.test((e as Error).message));
  assert.equal(fa.connections, 0);
  a.close();
}));

test('no socket is AGENT_UNAVAILABLE', () => withAgent(async (_fa, dir) => {
  const a = new GuestAgent({ path: join(dir, 'missing'), guestOpen: () => Promise.resolve(true) });
  await assert.rejects(a.execute('guest-ping'), (e: unknown) => code('AGENT_UNAVAILABLE')(e) && /cannot connect/.test((e as Error).message));
  a.close();
}));

test('silence is AGENT_UNRESPONSIVE (sync, then command); after the agent answers again the client recovers', () => withAgent(async (fa) => {
  const a = new GuestAgent({ path: fa.path, guestOpen: () => Promise.resolve(true), syncTimeoutMs: 200 });
  try {
    fa.silent = true;
    await assert.rejects(a.execute('guest-ping'), (e: unknown) => code('AGENT_UNRESPONSIVE')(e) && /guest-sync-delimited/.test((e as Error).message));
    fa.silent = false;
    assert.deepEqual(await a.execute('guest-ping'), {});
    fa.silent = true;
    await assert.rejects(a.execute('guest-info', undefined, { timeoutMs: 200 }), (e: unknown) => code('AGENT_UNRESPONSIVE')(e) && /'guest-info'/.test((e as Error).message));
    fa.silent = false;
    // The timed-out command forces a new sync first.
    fa.seen.length = 0;
    assert.deepEqual(await a.execute('guest-info'), { version: '7.2.22' });
    assert.deepEqual(fa.seen, ['guest-sync-delimited', 'guest-info']);
  } finally {
    a.close();
  }
}));

test('a dropped connection is reconnected and synced on the next use', () => withAgent(async (fa) => {
  const a = new GuestAgent({ path: fa.path, guestOpen: () => Promise.resolve(true) });
  try {
    assert.deepEqual(await a.execute('guest-ping'), {});
    fa.dropClients();
    await new Promise((r) => setImmediate(r));
    let answer: unknown;
    // The close may reach the client after the next write; then that command fails as UNAVAILABLE and the one after reconnects.
    try { answer = await a.execute('guest-ping'); } catch (e) { assert.ok(code('AGENT_UNAVAILABLE')(e)); answer = await a.execute('guest-ping'); }
    assert.deepEqual(answer, {});
    assert.equal(fa.connections, 2);
  } finally {
    a.close();
  }
}));

test('portChanged (qemu-ga restarted in the guest) makes the next use sync again', () => withAgent(async (fa) => {
  const a = new GuestAgent({ path: fa.path, guestOpen: () => Promise.resolve(true) });
  try {
    await a.execute('guest-ping');
    a.portChanged();
    await a.execute('guest-ping');
    assert.deepEqual(fa.seen, ['guest-sync-delimited', 'guest-ping', 'guest-sync-delimited', 'guest-ping']);
  } finally {
    a.close();
  }
}));
