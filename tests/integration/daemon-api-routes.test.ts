// The HTTP edge's route lookup (src/daemon/api/router.ts): routes are looked up among those with as
// many segments as the path, NOT_FOUND and METHOD_NOT_ALLOWED as before. Also request bodies
// (server.ts): whole in one write or in two pieces, on fresh and kept-alive connections, and the 4
// MiB limit.
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { NoHypervisor } from '../../src/daemon/driver-none.js';
import { api, domainXml, inProcessDaemon } from './daemon-harness.js';

const noDriver = () => Promise.resolve(new NoHypervisor('this test runs without a hypervisor driver'));

/** One raw HTTP/1.1 request whose body is written in two pieces, the second after a pause; the answer's status line. */
function inTwoPieces(socket: string, path: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(socket);
    let text = '';
    s.setEncoding('utf8').on('data', (d: string) => { text += d; });
    s.on('end', () => resolve(text.split('\r\n')[0] ?? ''));
    s.on('error', reject);
    const half = Math.floor(body.length / 2);
    s.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, half)}`);
    void sleep(50).then(() => s.write(body.slice(half)));
  });
}

describe('route lookup and request bodies at the HTTP edge', () => {
  it('takes a body whole or as it arrives, on fresh and kept-alive connections, up to 4 MiB', async () => {
    const d = await inProcessDaemon({ loadDriver: noDriver });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      assert.equal((await api(d.layout, 'POST', '/v1/domains', { xml: domainXml('whole') })).status, 201);
      assert.equal(await inTwoPieces(d.layout.socket, '/v1/domains', JSON.stringify({ xml: domainXml('pieces') })), 'HTTP/1.1 201 Created');
      // Three requests on one kept-alive connection, each with a body.
      const reused: boolean[] = [];
      for (const name of ['ka1', 'ka2', 'ka3']) {
        const payload = JSON.stringify({ xml: domainXml(name) });
        const status = await new Promise<number>((resolve, reject) => {
          const req = request({ socketPath: d.layout.socket, method: 'POST', path: '/v1/domains', agent, headers: { 'Content-Length': Buffer.byteLength(payload) } }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', reject);
          req.end(payload);
          reused.push(req.reusedSocket);
        });
        assert.equal(status, 201, name);
      }
      assert.deepEqual(reused, [false, true, true]);
      const list = await api(d.layout, 'GET', '/v1/domains');
      assert.deepEqual((list.body as { domains: { name: string }[] }).domains.map((x) => x.name).sort(), ['ka1', 'ka2', 'ka3', 'pieces', 'whole']);
      const big = await api(d.layout, 'POST', '/v1/domains', { xml: 'x'.repeat(4 * 1024 * 1024) });
      assert.equal(big.status, 400);
      assert.match((big.body as { error: { message: string } }).error.message, /larger than 4 MiB/);
      assert.equal((await api(d.layout, 'GET', '/v1/domains')).status, 200);
    } finally {
      agent.destroy();
      await d.close();
    }
  });

  it('finds routes by their segments: a known path with another method, unknown paths of any length', async () => {
    const d = await inProcessDaemon({ loadDriver: noDriver });
    try {
      const wrong = await api(d.layout, 'GET', '/v1/pools/default/volumes/x/actions/clone');
      assert.equal(wrong.status, 405);
      assert.match((wrong.body as { error: { message: string } }).error.message, /use POST/);
      for (const path of ['/', '/v1', '/v1/pools/default/volumes/x/actions/clone/more', '/v1/a/b/c/d/e/f/g/h/i/j/k']) {
        const r = await api(d.layout, 'GET', path);
        assert.equal(r.status, 404, path);
        assert.equal((r.body as { error: { code: string } }).error.code, 'NOT_FOUND', path);
      }
      assert.equal((await api(d.layout, 'GET', '/v1/pools/default/volumes')).status, 200);
    } finally {
      await d.close();
    }
  });
});
