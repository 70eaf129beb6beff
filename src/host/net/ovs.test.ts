// The ovs-vsctl argv the Ovs wrapper builds (a scripted runner records it), compared with what
// libvirt's virNetDevOpenvswitchAddPort runs for the same <vlan> and <virtualport>; and how
// ovs-vsctl's exit codes become answers (br-exists 2, port-to-br 1) or errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtkitError } from '../../core/errors.js';
import { Ovs, addPortArgs, vlanArgs } from './ovs.js';

test('vlanArgs: access tag, trunk, native-tagged and native-untagged as libvirt writes them', () => {
  assert.deepEqual(vlanArgs(undefined), []);
  assert.deepEqual(vlanArgs({ tags: [10], trunk: false }), ['tag=10']);
  assert.deepEqual(vlanArgs({ tags: [10], trunk: true }), ['trunks=10']);
  assert.deepEqual(vlanArgs({ tags: [42, 47], trunk: true }), ['trunks=42,47']);
  assert.deepEqual(vlanArgs({ tags: [42, 47], trunk: true, native: { tag: 42, mode: 'untagged' } }), ['vlan_mode=native-untagged', 'tag=42', 'trunks=42,47']);
  assert.deepEqual(vlanArgs({ tags: [42, 47], trunk: true, native: { tag: 47, mode: 'tagged' } }), ['vlan_mode=native-tagged', 'tag=47', 'trunks=42,47']);
});

test('addPort: a stale port goes first, then add-port with the VLAN and the external-ids libvirt sets', async () => {
  const calls: string[][] = [];
  const ovs = new Ovs({ db: '/tmp/x/db.sock', timeoutS: 3, run: (a) => { calls.push([...a]); return Promise.resolve(a.includes('get') ? '1\n[]\n' : ''); } });
  await ovs.addPort({ bridge: 'ovsbr', port: 'vnet0', vlan: { tags: [10], trunk: false }, attachedMac: '52:54:00:aa:00:01', ifaceId: 'id-1', vmUuid: 'vm-1' });
  assert.deepEqual(calls, [[
    '--db=unix:/tmp/x/db.sock', '--timeout=3', '--', '--if-exists', 'del-port', 'vnet0', '--', 'add-port', 'ovsbr', 'vnet0', 'tag=10',
    '--', 'set', 'Interface', 'vnet0', 'external-ids:attached-mac="52:54:00:aa:00:01"',
    '--', 'set', 'Interface', 'vnet0', 'external-ids:iface-id="id-1"',
    '--', 'set', 'Interface', 'vnet0', 'external-ids:iface-status="active"',
    '--', 'set', 'Interface', 'vnet0', 'external-ids:vm-id="vm-1"',
  ], ['--db=unix:/tmp/x/db.sock', '--timeout=3', 'get', 'Interface', 'vnet0', 'ofport', 'error']]);
  assert.deepEqual(addPortArgs({ bridge: 'b', port: 'p' }).slice(0, 9), ['--', '--if-exists', 'del-port', 'p', '--', 'add-port', 'b', 'p', '--']);
  await assert.rejects(ovs.addPort({ bridge: 'ovsbr', port: 'a-port-name-too-long' }), (e: unknown) => e instanceof VirtkitError && e.code === 'IFACE_NAME_INVALID');
  assert.equal(calls.length, 2, 'a bad name never reaches ovs-vsctl');
});

test('addBridge uses the userspace datapath by default; an ovsdb remote is kept as given', async () => {
  const calls: string[][] = [];
  let got = '65534\n[]\n';
  const ovs = new Ovs({ db: 'tcp:127.0.0.1:6640', run: (a) => { calls.push([...a]); return Promise.resolve(a.includes('get') ? got : ''); } });
  await ovs.addBridge('ovsbr');
  await ovs.delBridge('ovsbr', { ifExists: true });
  assert.deepEqual(calls.map((c) => c.slice(2).join(' ')), [
    '-- --may-exist add-br ovsbr -- set Bridge ovsbr datapath_type=netdev', 'get Interface ovsbr ofport error', '--if-exists del-br ovsbr',
  ]);
  assert.deepEqual(calls[0]?.slice(0, 2), ['--db=tcp:127.0.0.1:6640', '--timeout=5']);
  // ovs-vswitchd could not make it (what a second userspace-datapath vswitchd does): removed again and reported.
  calls.length = 0;
  got = '[]\n[]\n';
  await assert.rejects(ovs.addBridge('ovsbr'), (e: unknown) => e instanceof VirtkitError && e.code === 'HOST_NET_FAILED' && /could not add bridge 'ovsbr'.*ovs-netdev/.test(e.message));
  assert.equal(calls.at(-1)?.slice(2).join(' '), '--if-exists del-br ovsbr');
  got = '-1\n"could not open network device vnet9 (No such device)"\n';
  await assert.rejects(ovs.addPort({ bridge: 'ovsbr', port: 'vnet9' }), (e: unknown) => e instanceof VirtkitError && /could not add port 'vnet9': could not open network device vnet9 \(No such device\)$/.test(e.message));
  assert.equal(calls.at(-1)?.slice(2).join(' '), '--if-exists del-port vnet9');
});

test("exit codes: br-exists 2 is 'no', port-to-br 1 is 'no port'; anything else is the error", async () => {
  const fail = (exitCode: number, stderr = 'ovs-vsctl: no port named vnet0'): Promise<string> =>
    Promise.reject(new VirtkitError('HOST_NET_FAILED', 'ovs-vsctl failed', { details: { exitCode, stderr } }));
  let next = (): Promise<string> => fail(2);
  const ovs = new Ovs({ run: () => next() });
  assert.equal(await ovs.bridgeExists('ovsbr'), false);
  next = () => Promise.resolve('');
  assert.equal(await ovs.bridgeExists('ovsbr'), true);
  next = () => fail(1);
  assert.equal(await ovs.bridgeOf('vnet0'), undefined);
  // A database it cannot reach is exit 1 too: an error, not 'no such port' or 'no such bridge'.
  next = () => fail(1, 'ovs-vsctl: unix:/x/db.sock: database connection failed (No such file or directory)');
  await assert.rejects(ovs.bridgeOf('vnet0'), (e: unknown) => e instanceof VirtkitError && e.code === 'HOST_NET_FAILED');
  await assert.rejects(ovs.bridgeExists('ovsbr'), (e: unknown) => e instanceof VirtkitError && e.code === 'HOST_NET_FAILED');
  next = () => Promise.resolve('ovsbr\n');
  assert.equal(await ovs.bridgeOf('vnet0'), 'ovsbr');
  next = () => Promise.resolve('vnet0\nvnet1\n');
  assert.deepEqual(await ovs.listPorts('ovsbr'), ['vnet0', 'vnet1']);
});
