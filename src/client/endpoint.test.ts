import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isVirtkitError } from '../core/errors.js';
import { resolveEndpoint, type EndpointInput } from './endpoint.js';
import { toError } from './transport.js';

const base: EndpointInput = { env: { XDG_RUNTIME_DIR: '/run/user/1000' }, home: '/home/u', uid: 1000 };
const r = (over: Partial<EndpointInput>) => resolveEndpoint({ ...base, ...over });
const invalid = (e: unknown) => isVirtkitError(e) && e.code === 'INVALID_ARGUMENT';

describe('client endpoint', () => {
  it('defaults to the session for users and the system for root, as virsh does', () => {
    assert.deepEqual(r({}), {
      kind: 'unix', uri: 'qemu:///session', socket: '/run/user/1000/virtkit/virtkitd.sock', spawnArgs: ['--session'],
    });
    assert.deepEqual(r({ uid: 0 }), { kind: 'unix', uri: 'qemu:///system', socket: '/run/virtkit/virtkitd.sock', spawnArgs: undefined });
  });

  it('takes --root, then VIRTKIT_ROOT, and the embed URI for the same thing', () => {
    const want = { kind: 'unix', uri: 'qemu:///embed?root=/tmp/vk', socket: '/tmp/vk/run/virtkitd.sock', spawnArgs: ['--root', '/tmp/vk'] };
    assert.deepEqual(r({ root: '/tmp/x/../vk' }), want);
    assert.deepEqual(r({ env: { VIRTKIT_ROOT: '/tmp/vk' } }), want);
    assert.deepEqual(r({ uri: 'qemu:///embed?root=/tmp/vk' }), want);
    assert.deepEqual(r({ uri: 'qemu:///embed?root=/tmp/vk', root: '/tmp/vk' }), want);
  });

  it('lets -c win over VIRTKIT_ROOT, but refuses -c with a different --root', () => {
    assert.equal(r({ uri: 'qemu:///session', env: { VIRTKIT_ROOT: '/tmp/vk' } }).uri, 'qemu:///session');
    assert.throws(() => r({ uri: 'qemu:///session', root: '/tmp/vk' }), invalid);
    assert.throws(() => r({ uri: 'qemu:///embed?root=/a', root: '/b' }), invalid);
  });

  it('falls back to ~/.cache when XDG_RUNTIME_DIR is unset', () => {
    const e = r({ env: {} });
    assert.ok(e.kind === 'unix' && e.socket === '/home/u/.cache/virtkit/run/virtkitd.sock');
  });

  it('connects to an explicit socket without starting anything', () => {
    assert.deepEqual(r({ uri: 'qemu+unix:///system?socket=/tmp/s.sock' }), {
      kind: 'unix', uri: 'qemu:///system', socket: '/tmp/s.sock', spawnArgs: undefined,
    });
  });

  it('parses TCP and TLS URIs with their token and CA', () => {
    assert.deepEqual(r({ uri: 'qemu+tls://h.example:16514/system?ca=/ca.pem', env: { VIRTKIT_TOKEN: 't' } }), {
      kind: 'tcp', uri: 'qemu+tls://h.example:16514/system?ca=/ca.pem', host: 'h.example', port: 16514, tls: true, token: 't', ca: '/ca.pem',
    });
    const tcp = r({ uri: 'qemu+tcp://[::1]:1234/system?token_file=/t' });
    assert.ok(tcp.kind === 'tcp' && tcp.host === '::1' && tcp.port === 1234 && !tcp.tls && tcp.tokenFile === '/t');
  });

  it('refuses URIs it cannot serve, saying why', () => {
    for (const uri of ['xen:///system', 'qemu:///nope', 'qemu://host/system', 'qemu+ssh://h/system', 'qemu:///embed', 'not a uri']) {
      assert.throws(() => r({ uri }), invalid, uri);
    }
  });

  it('turns error bodies into VirtkitErrors with the daemon code', () => {
    const e = toError({ error: { code: 'DOMAIN_NOT_FOUND', message: 'no', details: { domain: 'x' } } }, 404);
    assert.deepEqual([e.code, e.message, e.details], ['DOMAIN_NOT_FOUND', 'no', { domain: 'x' }]);
    const odd = toError({ error: { code: 'FROM_THE_FUTURE', message: 'new' } }, 418);
    assert.deepEqual([odd.code, odd.details], ['INTERNAL_ERROR', { code: 'FROM_THE_FUTURE', status: 418 }]);
    assert.equal(toError('junk', 502).message, 'the daemon answered HTTP 502');
  });
});
