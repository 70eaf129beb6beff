import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { VirtkitError } from '../core/errors.js';
import { Transport } from './transport.js';

/**
 * The CLI's transport (`connections: 'per-request'`: node:net and unix-http.ts) against a real
 * node HTTP server, as virtkitd is one, and against a raw socket for answers node would not send;
 * every case also through node:http (the default), which must agree.
 */
describe('per-request HTTP over a UNIX socket (unix-http.ts)', () => {
  let dir = '';
  const servers: Server[] = [];
  const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse, body: string) => void> = {
    '/json': (_q, res) => json(res, 200, { volumes: [{ name: 'v1', path: '/a/é 日本' }] }),
    '/error': (_q, res) => json(res, 404, { error: { code: 'VOLUME_NOT_FOUND', message: "storage volume 'x' not found", details: { volume: 'x' } } }),
    '/echo': (req, res, body) => json(res, 200, { method: req.method, body: JSON.parse(body) as unknown }),
    // Written in pieces without a length: node sends it chunked.
    '/chunked': (_q, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"parts":');
      res.write(`[${'"x",'.repeat(5000)}"y"]`);
      res.end('}');
    },
    '/not-json': (_q, res) => {
      res.writeHead(502, { 'Content-Length': '5' });
      res.end('oops!');
    },
  };

  function json(res: ServerResponse, status: number, v: unknown) {
    const text = `${JSON.stringify(v)}\n`;
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  const listen = async (s: Server, name: string) => {
    servers.push(s);
    const path = join(dir, name);
    await new Promise<void>((resolve) => s.listen(path, resolve));
    return path;
  };
  let http = '';
  const raw: Record<string, string> = {};
  // Raw answers: written as they are, then the connection closed.
  const RAW: Record<string, string> = {
    'no-length': 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"to":"the end"}',
    'cut-short': 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"cut":',
    'not-http': 'SSH-2.0-OpenSSH_9.2\r\n\r\n',
    'hang-up': '',
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vk-unix-http-'));
    http = await listen(createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        const route = routes[req.url ?? ''];
        if (route) route(req, res, body);
        else json(res, 500, { error: { code: 'INTERNAL_ERROR', message: `no route ${req.url ?? ''}` } });
      });
    }) as unknown as Server, 'http.sock');
    for (const [name, answer] of Object.entries(RAW)) {
      raw[name] = await listen(createNetServer((s) => s.once('data', () => s.end(answer)).on('error', () => {})), `${name}.sock`);
    }
  });
  after(async () => {
    for (const s of servers) await new Promise<void>((resolve) => s.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  const transports = (socket: string) => ({
    perRequest: new Transport({ kind: 'unix', uri: 'qemu:///test', socket, spawnArgs: undefined }, { connections: 'per-request' }),
    nodeHttp: new Transport({ kind: 'unix', uri: 'qemu:///test', socket, spawnArgs: undefined }),
  });
  /** The same request through both; their answers (or errors) must be the same. */
  async function both(socket: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const { perRequest, nodeHttp } = transports(socket);
    const outcome = (p: Promise<unknown>) => p.then((v) => ({ ok: v }), (e: unknown) => ({
      err: e instanceof VirtkitError ? { code: e.code, details: e.details } : String(e),
    }));
    try {
      const a = await outcome(perRequest.request(method, path, body));
      const b = await outcome(nodeHttp.request(method, path, body));
      assert.deepEqual(a, b, `${method} ${path}: per-request and node:http disagree`);
      if ('err' in a) throw await perRequest.request(method, path, body).catch((e: unknown) => e);
      return a.ok;
    } finally {
      perRequest.close();
      nodeHttp.close();
    }
  }
  const rejects = async (p: Promise<unknown>, code: string, message?: RegExp) => {
    const e = await p.then(() => undefined, (x: unknown) => x);
    assert.ok(e instanceof VirtkitError, `expected a VirtkitError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
  };

  it('reads a JSON answer, UTF-8 included, as node:http does', async () => {
    assert.deepEqual(await both(http, 'GET', '/json'), { volumes: [{ name: 'v1', path: '/a/é 日本' }] });
  });

  it('sends a JSON body with its type and length, and says Connection: close', async () => {
    seen.length = 0;
    const body = { xml: '<pool>é 日本 𝒳</pool>', n: 1 };
    assert.deepEqual(await both(http, 'POST', '/echo', body), { method: 'POST', body });
    const [mine, node] = seen;
    assert.equal(mine?.headers['content-type'], 'application/json');
    assert.equal(mine?.headers['content-length'], String(Buffer.byteLength(JSON.stringify(body))));
    assert.equal(mine?.headers['accept'], 'application/json');
    assert.equal(mine?.headers['connection'], 'close');
    assert.equal(mine?.body, node?.body);
  });

  it('turns an error body into a VirtkitError with the daemon\'s code and details', async () => {
    await rejects(both(http, 'GET', '/error'), 'VOLUME_NOT_FOUND', /storage volume 'x' not found/);
  });

  it('reads a chunked answer', async () => {
    const v = await both(http, 'GET', '/chunked') as { parts: string[] };
    assert.equal(v.parts.length, 5001);
  });

  it('refuses an answer that is not JSON', async () => {
    await rejects(both(http, 'GET', '/not-json'), 'INTERNAL_ERROR', /answered 502 with something that is not JSON/);
  });

  it('says the daemon is unreachable when nothing listens, or it hangs up without an answer', async () => {
    await rejects(both(join(dir, 'absent.sock'), 'GET', '/json'), 'DAEMON_UNREACHABLE', /ENOENT/);
    await rejects(both(raw['hang-up'] ?? '', 'GET', '/json'), 'DAEMON_UNREACHABLE', /ECONNRESET/);
  });

  it('reads an answer without a length up to the end of the connection', async () => {
    assert.deepEqual(await both(raw['no-length'] ?? '', 'GET', '/x'), { to: 'the end' });
  });

  it('fails with IO_ERROR on an answer cut short or one that is not HTTP', async () => {
    const { perRequest } = transports(raw['cut-short'] ?? '');
    await rejects(perRequest.request('GET', '/x'), 'IO_ERROR', /after 7 of the 100 bytes/);
    const other = transports(raw['not-http'] ?? '').perRequest;
    await rejects(other.request('GET', '/x'), 'IO_ERROR', /not an HTTP answer: "SSH-2.0/);
  });

  it('refuses a path that would split the request, as node:http does', async () => {
    const { perRequest, nodeHttp } = transports(http);
    seen.length = 0;
    await rejects(perRequest.request('GET', '/json HTTP/1.1\r\nX-Evil: 1'), 'IO_ERROR', /invalid characters/);
    await assert.rejects(nodeHttp.request('GET', '/json HTTP/1.1\r\nX-Evil: 1'));
    nodeHttp.close();
    assert.deepEqual(seen, [], 'nothing reached the server');
  });
});
