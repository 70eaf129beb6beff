/**
 * Object events over the daemon's event WebSocket, with an in-process daemon: pool-event and
 * secret-event through the CLI (--list, --event, --pool/--secret filters, --loop, --timestamp,
 * virsh's lines), and snapshot events (virtkit's own: created, reverted, deleted) through the
 * client, filtered by domain. Every command is started once its subscription is in place (the
 * bus's subscriber count), and a --loop stream is ended by the daemon closing it: messages on a
 * connection arrive in order, so what was sent before the close is all there, with no timing.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { VirtkitClient } from '../../src/client/client.js';
import type { ObjectEvent } from '../../src/client/types.js';
import { isVirtkitError } from '../../src/core/errors.js';
import { until } from '../helpers/wait.js';
import { cli, domainXml, inProcessDaemon } from './daemon-harness.js';

const U1 = 'a5c3c2b4-4f8d-4c39-9d0b-6a0c5a8e1f01';

describe('object events (pool-event, secret-event, snapshot events)', { timeout: 120_000 }, () => {
  it('pool-event and secret-event print virsh\'s lines; filters and --loop work', async () => {
    const d = await inProcessDaemon();
    try {
      const vk = (...a: string[]) => cli(d.root, a);
      const ctx = d.daemon.engine.ctx;
      const subscribed = (bus: { subscribers: number }, n: number) => until(`${n} subscriber(s)`, async () => bus.subscribers >= n || undefined);

      assert.deepEqual(await vk('pool-event', '--list'), { code: 0, stdout: 'lifecycle\nrefresh\n\n', stderr: '' });
      assert.deepEqual(await vk('secret-event', '--list'), { code: 0, stdout: 'lifecycle\nvalue-changed\n\n', stderr: '' });
      assert.match((await vk('pool-event')).stderr, /either --list or --event <type> is required/);
      assert.match((await vk('secret-event', '--event', 'refresh')).stderr, /unknown event type refresh/);
      // Nothing happens: the loop ends at its timeout (the outcome does not depend on how long it took).
      assert.deepEqual(await vk('secret-event', '--event', 'lifecycle', '--timeout', '1'), { code: 0, stdout: 'event loop timed out\nevents received: 0\n\n', stderr: '' });
      const missing = await vk('pool-event', '--event', 'lifecycle', '--pool', 'nosuch');
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /nosuch/);

      // One-shot, with virsh's timestamp.
      const [t1, t2] = [join(d.root, 'p1'), join(d.root, 'p2')];
      await mkdir(t1);
      await mkdir(t2);
      const first = vk('pool-event', '--event', 'lifecycle', '--timestamp');
      await subscribed(ctx.storage.events, 1);
      assert.equal((await vk('pool-define-as', 'p1', 'dir', '--target', t1)).code, 0);
      const one = await first;
      assert.equal(one.code, 0, one.stderr);
      assert.match(one.stdout, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\+0000: event 'lifecycle' for storage pool p1: Defined\nevents received: 1\n\n$/);

      assert.equal((await vk('pool-define-as', 'p2', 'dir', '--target', t2)).code, 0);
      assert.equal((await vk('secret-define', await secretFile(d.root))).code, 0);
      // Loops: refreshes of p1 only; every lifecycle event of any pool; value changes of the secret.
      const refreshes = vk('pool-event', '--pool', 'p1', '--event', 'refresh', '--loop');
      const lifecycle = vk('pool-event', '--event', 'lifecycle', '--loop');
      await subscribed(ctx.storage.events, 2);
      const values = vk('secret-event', '--secret', U1, '--event', 'value-changed', '--loop');
      const secretLife = vk('secret-event', '--event', 'lifecycle');
      await subscribed(ctx.secrets.events, 2);
      for (const p of ['p2', 'p1']) assert.equal((await vk('pool-start', p)).code, 0);
      for (const p of ['p2', 'p1', 'p1']) assert.equal((await vk('pool-refresh', p)).code, 0);
      assert.equal((await vk('secret-set-value', U1, '--base64', 'c2VjcmV0')).code, 0);
      assert.equal((await vk('pool-destroy', 'p2')).code, 0);
      assert.equal((await vk('secret-undefine', U1)).code, 0);
      assert.deepEqual(await secretLife, { code: 0, stdout: `event 'lifecycle' for secret ${U1}: Undefined\nevents received: 1\n\n`, stderr: '' });
      await d.daemon.close();

      const ended = 'virtkitd is shutting down';
      assert.equal((await refreshes).stdout, `event 'refresh' for storage pool p1\nevent 'refresh' for storage pool p1\n${ended}\nevents received: 2\n\n`);
      assert.equal((await lifecycle).stdout, ['p2: Started', 'p1: Started', 'p2: Stopped'].map((l) => `event 'lifecycle' for storage pool ${l}\n`).join('') + `${ended}\nevents received: 3\n\n`);
      assert.equal((await values).stdout, `event 'value-changed' for secret ${U1}\n${ended}\nevents received: 1\n\n`);
    } finally {
      await d.close();
    }
  });

  it('snapshot events: created, reverted, deleted, on the event stream with kind=snapshot, filtered by domain', async () => {
    const d = await inProcessDaemon();
    try {
      const client = new VirtkitClient({ root: d.root, env: {} });
      for (const name of ['other', 'vm']) {
        const disk = join(d.root, `${name}.qcow2`);
        execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', disk, '16M']);
        await client.defineDomain(domainXml(name, `  <devices>\n    <disk type='file' device='disk'>\n      <driver name='qemu' type='qcow2'/>\n      <source file='${disk}'/>\n      <target dev='vda' bus='virtio'/>\n    </disk>\n  </devices>\n`));
      }
      await assert.rejects(client.objectEvents('bogus' as never), (e) => isVirtkitError(e) && e.code === 'INVALID_ARGUMENT' && /kind: 'bogus'/.test(e.message));
      await assert.rejects(client.objectEvents('pool', { domain: 'vm' }), (e) => isVirtkitError(e) && e.code === 'INVALID_ARGUMENT' && /filtered with pool=/.test(e.message));
      await assert.rejects(client.objectEvents('snapshot', { domain: 'nosuch' }), (e) => isVirtkitError(e) && e.code === 'DOMAIN_NOT_FOUND');

      const stream = await client.objectEvents('snapshot', { domain: 'vm' });
      const got: ObjectEvent[] = [];
      const three = new Promise<void>((resolve) => stream.on('event', (e) => { got.push(e); if (got.length === 3) resolve(); }));
      const snap = (dom: string, n: string) => client.createSnapshot(dom, { xml: `<domainsnapshot><name>${n}</name></domainsnapshot>` });
      await snap('other', 'x1');
      await snap('vm', 's1');
      await client.revertSnapshot('vm', 's1');
      await client.deleteSnapshot('vm', 's1');
      await three;
      stream.close();
      const uuid = (await client.getDomain('vm')).uuid;
      assert.deepEqual(got.map(({ timestamp, ...rest }) => { assert.ok(!Number.isNaN(Date.parse(timestamp))); return rest; }), [
        { kind: 'snapshot', name: 's1', uuid, domain: 'vm', event: 'created' },
        { kind: 'snapshot', name: 's1', uuid, domain: 'vm', event: 'reverted' },
        { kind: 'snapshot', name: 's1', uuid, domain: 'vm', event: 'deleted' },
      ], 'only vm\'s snapshots, in order');
      await client.deleteSnapshot('other', 'x1');
      await client.undefineDomain('other');
      await client.undefineDomain('vm');
    } finally {
      await d.close();
    }
  });
});

async function secretFile(root: string): Promise<string> {
  const f = join(root, 's.xml');
  await writeFile(f, `<secret ephemeral='no' private='no'><uuid>${U1}</uuid><usage type='volume'><volume>/srv/x.img</volume></usage></secret>`);
  return f;
}
