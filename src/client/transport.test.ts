import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Transport } from './transport.js';

/**
 * A daemon that drops a kept-alive connection the moment a second request arrives on it, as
 * virtkitd does when its keep-alive timeout ends just as the client reuses the socket.
 */
async function flakyKeepAlive(socket: string): Promise<{ server: Server; served: string[] }> {
  const served: string[] = [];
  const perSocket = new WeakMap<object, number>();
  const server = createServer((req, res) => {
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    if (n > 1) {
      req.socket.destroy();
      return;
    }
    served.push(req.url ?? '');
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ url: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return { server, served };
}

test('a request that meets a kept-alive socket the daemon just closed is sent again on a fresh one', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vk-transport-'));
  const socket = join(dir, 's.sock');
  const { server, served } = await flakyKeepAlive(socket);
  const t = new Transport({ kind: 'unix', uri: 'qemu:///test', socket, spawnArgs: undefined });
  try {
    assert.deepEqual(await t.request('GET', '/one'), { url: '/one' });
    assert.deepEqual(await t.request('GET', '/two'), { url: '/two' }, 'the second request went out again after the reset');
    assert.deepEqual(served, ['/one', '/two']);
  } finally {
    t.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  }
});
