// The serial console hub against a unix socket server standing in for QEMU's
// `-chardev socket,server=on`: output reaches the session, keystrokes reach
// the guest, a second session takes over, the end of QEMU ends the session.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { test } from 'node:test';
import { SerialConsole } from './console.js';

async function fakeQemu(): Promise<{ path: string; server: Server; guest: Promise<Socket>; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'vk-con-'));
  const path = join(dir, 'console.sock');
  let accept: (s: Socket) => void = () => undefined;
  const guest = new Promise<Socket>((r) => { accept = r; });
  const server = createServer((s) => accept(s));
  await new Promise<void>((r) => server.listen(path, r));
  return { path, server, guest, dir };
}

const read = (s: Duplex | Socket, want: string): Promise<string> =>
  new Promise((resolve) => {
    let got = '';
    const on = (c: Buffer): void => {
      got += c.toString();
      if (got.includes(want)) { s.off('data', on); resolve(got); }
    };
    s.on('data', on);
  });

test('console: output and input flow; a new session takes over; QEMU closing ends the session', async () => {
  const q = await fakeQemu();
  try {
    const con = await SerialConsole.connect(q.path);
    const guest = await q.guest;
    guest.write('before anyone listens\n'); // discarded, as with virsh console
    await new Promise((r) => setTimeout(r, 100)); // let the hub receive (and drop) it
    const s1 = con.open();
    const got1 = read(s1, 'hello');
    guest.write('hello\n');
    assert.doesNotMatch(await got1, /before anyone/);
    const typed = read(guest, 'ls');
    s1.write('ls\n');
    await typed;

    const s2 = con.open();
    const ended = new Promise((r) => s1.once('end', r));
    s1.resume();
    await ended; // the first session was ended by the takeover
    const got2 = read(s2, 'second');
    guest.write('second\n');
    await got2;

    const closed = new Promise((r) => s2.once('end', r));
    s2.resume();
    guest.destroy();
    await closed;
    assert.throws(() => con.open(), (e: Error & { code?: string }) => e.code === 'OPERATION_INVALID');
  } finally {
    q.server.close();
    await rm(q.dir, { recursive: true, force: true });
  }
});

test('console: a missing socket fails with IO_ERROR after the timeout', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vk-con-'));
  try {
    await assert.rejects(SerialConsole.connect(join(dir, 'nope.sock'), 50), (e: Error & { code?: string }) => e.code === 'IO_ERROR');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
