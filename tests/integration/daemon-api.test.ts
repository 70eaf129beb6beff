import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { VirtkitClient } from '../../src/client/client.js';
import type * as C from '../../src/client/types.js';
import { openApiDocument } from '../../src/daemon/api/openapi.js';
import { NoHypervisor } from '../../src/daemon/driver-none.js';
import { api, domainXml, inProcessDaemon, tempRoot } from './daemon-harness.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { assertLeftNothing, quietLog } from './daemon-harness.js';

const noDriver = () => Promise.resolve(new NoHypervisor('this test runs without a hypervisor driver'));
const errorOf = (r: { body: unknown }) => (r.body as { error: { code: string; message: string } }).error;

describe('daemon API over the UNIX socket', () => {
  it('defines, lists, gets, dumps and undefines', async () => {
    const d = await inProcessDaemon({ loadDriver: noDriver });
    try {
      const created = await api(d.layout, 'POST', '/v1/domains', { xml: domainXml('vm1') });
      assert.equal(created.status, 201);
      const info = (created.body as C.DefineResult).domain;
      assert.equal(info.state, 'shutoff');
      assert.equal((await api(d.layout, 'POST', '/v1/domains', { xml: domainXml('vm1') })).status, 200);
      const list = await api(d.layout, 'GET', '/v1/domains');
      assert.deepEqual((list.body as { domains: C.DomainInfo[] }).domains.map((x) => x.name), ['vm1']);
      assert.deepEqual((await api(d.layout, 'GET', '/v1/domains?active=true')).body, { domains: [] });
      assert.deepEqual((await api(d.layout, 'GET', '/v1/domains?state=shutoff,other')).body, list.body);
      assert.equal((await api(d.layout, 'GET', `/v1/domains/${info.uuid}`)).status, 200);
      const xml = (await api(d.layout, 'GET', '/v1/domains/vm1/xml?inactive=true')).body as { xml: string };
      assert.match(xml.xml, new RegExp(`<uuid>${info.uuid}</uuid>`));
      const put = await api(d.layout, 'PUT', '/v1/domains/vm1/autostart', { enabled: true });
      assert.equal((put.body as C.DomainInfo).autostart, true);
      assert.equal((await api(d.layout, 'DELETE', '/v1/domains/vm1')).status, 200);
      assert.equal((await api(d.layout, 'GET', '/v1/domains/vm1')).status, 404);
    } finally {
      await d.close();
    }
  });

  it('answers every error as {error: {code, message}} with the status of its code', async () => {
    const d = await inProcessDaemon({ loadDriver: noDriver });
    try {
      await api(d.layout, 'POST', '/v1/domains', { xml: domainXml('vm1', "  <uuid>11111111-2222-3333-4444-555555555555</uuid>\n") });
      const cases: [string, string, unknown, number, string][] = [
        ['GET', '/v1/domains/nope', undefined, 404, 'DOMAIN_NOT_FOUND'],
        ['POST', '/v1/domains', { xml: '<domain' }, 400, 'INVALID_XML'],
        ['POST', '/v1/domains', { xml: domainXml('x'), extra: 1 }, 400, 'INVALID_ARGUMENT'],
        ['POST', '/v1/domains', '{not json', 400, 'INVALID_ARGUMENT'],
        ['POST', '/v1/domains', {}, 400, 'INVALID_ARGUMENT'],
        ['GET', '/v1/domains?state=sideways', undefined, 400, 'INVALID_ARGUMENT'],
        ['GET', '/v1/domains?wait=1', undefined, 400, 'INVALID_ARGUMENT'],
        ['POST', '/v1/domains/vm1/actions/destroy', { graceful: 'yes' }, 400, 'INVALID_ARGUMENT'],
        ['POST', '/v1/domains', { xml: domainXml('vm2', "  <uuid>11111111-2222-3333-4444-555555555555</uuid>\n") }, 409, 'DOMAIN_EXISTS'],
        ['POST', '/v1/domains/vm1/actions/destroy', undefined, 409, 'OPERATION_INVALID'],
        ['POST', '/v1/domains/vm1/actions/start', undefined, 501, 'UNSUPPORTED_OPERATION'],
        ['PUT', '/v1/domains', undefined, 405, 'METHOD_NOT_ALLOWED'],
        ['GET', '/v1/nothing', undefined, 404, 'NOT_FOUND'],
        ['GET', '/v1/events', undefined, 400, 'INVALID_ARGUMENT'],
        ['GET', '/v1/domains/vm1', 'unexpected body', 400, 'INVALID_ARGUMENT'],
      ];
      for (const [method, path, body, status, code] of cases) {
        const r = await api(d.layout, method, path, body);
        assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.body)}`);
        assert.equal(errorOf(r).code, code, `${method} ${path}`);
        assert.ok(errorOf(r).message.length > 10);
      }
    } finally {
      await d.close();
    }
  });

  it('serves the generated OpenAPI document, and keeps its socket private (0600)', async () => {
    const d = await inProcessDaemon();
    try {
      const r = await api(d.layout, 'GET', '/v1/openapi.json');
      assert.deepEqual(r.body, openApiDocument());
      assert.equal(statSync(d.layout.socket).mode & 0o777, 0o600);
    } finally {
      await d.close();
    }
  });

  it('streams lifecycle events over a WebSocket, filtered by domain on request', async () => {
    const d = await inProcessDaemon();
    const client = new VirtkitClient({ root: d.root, env: {} });
    try {
      await client.defineDomain(domainXml('other'));
      const all = await client.events();
      const one = await client.events({ domain: 'other' });
      const seenAll: string[] = [];
      const seenOne: string[] = [];
      // Both streams see the last event ('other' undefined); the unfiltered one sees it third.
      const lastSeen = Promise.all([all, one].map((s, i) => new Promise<void>((resolve) => {
        s.on('event', (e) => {
          const line = `${e.domain}:${e.event}/${e.detail}`;
          (i === 0 ? seenAll : seenOne).push(line);
          if (line === 'other:undefined/removed') resolve();
        });
      })));
      await client.defineDomain(domainXml('vm1'));
      await client.undefineDomain('vm1');
      await client.undefineDomain('other');
      await lastSeen;
      assert.deepEqual(seenAll, ['vm1:defined/added', 'vm1:undefined/removed', 'other:undefined/removed']);
      assert.deepEqual(seenOne, ['other:undefined/removed']);
      all.close();
      one.close();
      await Promise.all([all.closed, one.closed]);
    } finally {
      client.close();
      await d.close();
    }
  });

  it('refuses a console to an unknown or shut-off domain with an HTTP error', async () => {
    const d = await inProcessDaemon();
    const client = new VirtkitClient({ root: d.root, env: {} });
    try {
      await client.defineDomain(domainXml('vm1'));
      await assert.rejects(client.console('vm1'), (e: { code?: string }) => e.code === 'OPERATION_INVALID');
      await assert.rejects(client.console('nope'), (e: { code?: string }) => e.code === 'DOMAIN_NOT_FOUND');
    } finally {
      client.close();
      await d.close();
    }
  });

  it('refuses a second daemon on the same root', async () => {
    const d = await inProcessDaemon();
    try {
      await assert.rejects(startDaemon({ layout: d.layout, log: quietLog(), autostart: false }), /already runs/);
      assert.equal((await api(d.layout, 'GET', '/v1/domains')).status, 200);
    } finally {
      await d.close();
    }
  });

  it('over TCP asks for the bearer token, and speaks TLS with the given certificate', async () => {
    const { root, layout } = await tempRoot();
    const cert = join(root, 'cert.pem');
    const key = join(root, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const token = 'x'.repeat(32);
    await writeFile(join(root, 'token'), `${token}\n`);
    const { readFile } = await import('node:fs/promises');
    const daemon = await startDaemon({
      layout, log: quietLog(), autostart: false,
      tcp: { host: '127.0.0.1', port: 0, token, tls: { cert: await readFile(cert), key: await readFile(key) } },
    });
    try {
      const port = daemon.server.tcpAddress?.port ?? 0;
      const ca = await readFile(cert);
      const get = (auth?: string) => new Promise<number>((resolve, reject) => {
        const req = httpsRequest({ host: '127.0.0.1', port, path: '/v1/domains', ca, agent: false, headers: auth ? { Authorization: auth } : {} },
          (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
        req.on('error', reject);
        req.end();
      });
      assert.equal(await get(), 401);
      assert.equal(await get('Bearer wrong'), 401);
      assert.equal(await get(`Bearer ${token}`), 200);
      const client = new VirtkitClient({ uri: `qemu+tls://127.0.0.1:${port}/system?ca=${cert}`, env: { VIRTKIT_TOKEN: token } });
      try {
        await client.defineDomain(domainXml('remote'));
        assert.deepEqual((await client.listDomains()).map((x) => x.name), ['remote']);
        const events = await client.events();
        events.close();
        await events.closed;
      } finally {
        client.close();
      }
      const bad = new VirtkitClient({ uri: `qemu+tls://127.0.0.1:${port}/system?ca=${cert}`, env: { VIRTKIT_TOKEN: 'nope' } });
      await assert.rejects(bad.listDomains(), (e: { code?: string }) => e.code === 'UNAUTHORIZED');
      bad.close();
    } finally {
      await daemon.close();
      await assertLeftNothing(root, layout);
    }
  });
});
