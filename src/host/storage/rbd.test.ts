// The Ceph client's plumbing without a cluster (the real one is in
// tests/integration/storage-rbd-pool.test.ts): the ceph.conf it writes (msgr v1 for a libvirt
// port, v2 for 3300, auth none without a user), the key only in a 0600 keyring in a private
// directory that is gone afterwards and never on the command line, values that would break a
// conf line refused, and the tool's failures turned into clear errors (exit 13: a refused key).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { VirtkitError } from '../../core/errors.js';
import { cephConf, RbdClient, type RbdRunner } from './rbd.js';

const KEY = Buffer.from('0123456789abcdef0123456789ab');

test('ceph.conf: monitors as msgr v1 unless port 3300, auth none without a user, cephx with a keyring', () => {
  const none = cephConf({ monitors: [{ name: '10.0.0.1', port: 6789 }, { name: 'fe80::1', port: 3300 }, { name: 'mon3' }] }, undefined);
  assert.match(none, /^mon host = v1:10\.0\.0\.1:6789,v2:\[fe80::1\]:3300,mon3$/m);
  assert.match(none, /^auth supported = none$/m);
  assert.doesNotMatch(none, /keyring/);
  const cephx = cephConf({ monitors: [{ name: 'mon1' }], user: 'u', key: KEY }, '/d/keyring');
  assert.match(cephx, /^auth client required = cephx\nkeyring = \/d\/keyring$/m);
  assert.throws(() => cephConf({ monitors: [{ name: 'mon1\nkeyring = /etc/x' }] }, undefined), (e: unknown) => e instanceof VirtkitError && e.code === 'INVALID_ARGUMENT');
  assert.throws(() => cephConf({ monitors: [] }, undefined), (e: unknown) => e instanceof VirtkitError && e.code === 'XML_MISSING');
});

test('a call: the key is in a 0600 keyring in a private dir removed afterwards, never in the argv; the JSON is read', async () => {
  const seen: { args: readonly string[]; keyring: string; mode: number; dirMode: number }[] = [];
  const run: RbdRunner = async (bin, args) => {
    const conf = args[args.indexOf('-c') + 1] ?? '';
    const keyring = /^keyring = (.*)$/m.exec(readFileSync(conf, 'utf8'))?.[1] ?? '';
    seen.push({ args, keyring: readFileSync(keyring, 'utf8'), mode: statSync(keyring).mode & 0o777, dirMode: statSync(dirname(conf)).mode & 0o777 });
    assert.equal(bin, 'rbd');
    return JSON.stringify({ images: [{ name: 'b', provisioned_size: 2, used_size: 1 }, { name: 'a', provisioned_size: 4, used_size: 0 }, { name: 'a', snapshot: 's', provisioned_size: 4, used_size: 4 }] });
  };
  const c = new RbdClient({ monitors: [{ name: '127.0.0.1', port: 1234 }], user: 'virtkit', key: KEY }, run);
  assert.deepEqual(await c.images('vk'), [{ name: 'a', capacity: 4, allocation: 0 }, { name: 'b', capacity: 2, allocation: 1 }]);
  const [call] = seen;
  assert.ok(call);
  assert.deepEqual(call.args.slice(2), ['--id', 'virtkit', 'du', '--format', 'json', '--pool', 'vk']);
  assert.equal(call.keyring, `[client.virtkit]\n\tkey = ${KEY.toString('base64')}\n`);
  assert.equal(call.mode, 0o600);
  assert.equal(call.dirMode, 0o700);
  assert.equal(call.args.join(' ').includes(KEY.toString('base64')), false, 'the key is not on the command line');
  assert.equal(existsSync(dirname(call.args[1] ?? '')), false, 'the private directory is gone');
});

test("the tool's failures: exit 13 is a refused key, a missing tool says to install ceph-common, librados' log lines are left out", async () => {
  const failing = (e: Record<string, unknown>): RbdRunner => async () => { throw Object.assign(new Error('Command failed'), e); };
  const access = { monitors: [{ name: '127.0.0.1', port: 1234 }], user: 'virtkit', key: KEY };
  await assert.rejects(new RbdClient(access, failing({ code: 13, stderr: "rbd: couldn't connect to the cluster!\n" })).probe('vk/a'), (e: unknown) => {
    assert.ok(e instanceof VirtkitError);
    assert.equal(e.code, 'STORAGE_FAILED');
    assert.equal(e.details?.['reason'], 'auth');
    assert.match(e.message, /^cannot open rbd image 'vk\/a': the Ceph cluster at 127\.0\.0\.1:1234 refused the connection as client\.virtkit \(rbd: couldn't connect to the cluster!\)/);
    return true;
  });
  await assert.rejects(new RbdClient(access, failing({ code: 'ENOENT' })).images('vk'), (e: unknown) => e instanceof VirtkitError && e.code === 'HOST_UNSUPPORTED' && /install ceph-common/.test(e.message));
  const noisy = '2026-12-04T08:06:23.389+0000 7f80 -1 --2- conn(...) is using msgr V1 protocol\nunable to parse addrs in \'mon1\'\n';
  await assert.rejects(new RbdClient({ monitors: [{ name: 'mon1' }] }, failing({ code: 22, stderr: noisy })).images('vk'), (e: unknown) => {
    assert.ok(e instanceof VirtkitError);
    assert.equal(e.message, "cannot list the images of Ceph pool 'vk': unable to parse addrs in 'mon1'");
    return true;
  });
  await assert.rejects(new RbdClient(access, failing({ killed: true, stderr: '' })).images('vk'), /did not answer within 90 s/);
});

test('clone plumbing on captured rbd 16.2 output: info with a parent, snap ls protected as a string, children, diff; the argv', async () => {
  const calls: string[][] = [];
  const out: Record<string, string> = {
    info: '{"name":"b","size":8388608,"format":2,"features":["layering","exclusive-lock","object-map","fast-diff","deep-flatten"],' +
      '"parent":{"pool":"vkp","pool_namespace":"","image":"a","id":"1019449e9091","snapshot":"s1","trash":false,"overlap":8388608}}',
    snap: '[{"id":4,"name":"s1","size":8388608,"protected":"true","timestamp":"Fri Dec  4 20:23:09 2026"},{"id":5,"name":"s2","size":8388608,"protected":"false"}]',
    children: '[{"pool":"vkp","pool_namespace":"","image":"b"}]',
    diff: '[]',
  };
  const run: RbdRunner = async (_bin, args) => {
    const rest = args.slice(2);
    calls.push(rest);
    return rest[0] === 'snap' && rest[1] === 'ls' ? out['snap'] ?? '' : rest[0] === 'snap' || rest[0] === 'clone' || rest[0] === 'cp' ? '' : out[rest[0] ?? ''] ?? '';
  };
  const c = new RbdClient({ monitors: [{ name: 'mon1' }] }, run);
  assert.deepEqual(await c.info('vkp', 'b'), {
    size: 8388608, features: ['layering', 'exclusive-lock', 'object-map', 'fast-diff', 'deep-flatten'], parent: { pool: 'vkp', image: 'a', snapshot: 's1' },
  });
  assert.deepEqual(await c.snapshots('vkp', 'a'), [{ name: 's1', protected: true }, { name: 's2', protected: false }]);
  assert.deepEqual(await c.children('vkp', 'a', 's1'), ['vkp/b']);
  assert.equal(await c.changedSince('vkp', 'a', 's1'), false);
  await c.snap('create', 'vkp', 'a', 's3');
  await c.snap('protect', 'vkp', 'a', 's3');
  await c.clone('vkp', 'a', 's3', 'c');
  await c.copy('vkp', 'a', 'd');
  assert.deepEqual(calls.slice(4), [
    ['snap', 'create', '--no-progress', 'vkp/a@s3'], ['snap', 'protect', 'vkp/a@s3'], ['clone', 'vkp/a@s3', 'vkp/c'], ['cp', '--no-progress', 'vkp/a', 'vkp/d'],
  ]);
  assert.deepEqual(calls[3], ['diff', '--from-snap', 's1', '--format', 'json', 'vkp/a']);
});

test('withConf: the conf qemu-img is given names the 0600 keyring beside it; both gone afterwards', async () => {
  const c = new RbdClient({ monitors: [{ name: 'mon1', port: 6789 }], user: 'virtkit', key: KEY });
  let seen = '';
  await c.withConf(async (conf) => {
    seen = conf;
    const keyring = /^keyring = (.*)$/m.exec(readFileSync(conf, 'utf8'))?.[1] ?? '';
    assert.equal(dirname(keyring), dirname(conf));
    assert.equal(statSync(keyring).mode & 0o777, 0o600);
    assert.equal(statSync(conf).mode & 0o777, 0o600);
  });
  assert.equal(c.user, 'virtkit');
  assert.equal(existsSync(dirname(seen)), false);
});
