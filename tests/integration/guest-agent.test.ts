// The QEMU guest agent with real guests (TCG): the test guest runs qemu-ga on its
// org.qemu.guest_agent.0 port (docs/guest-agent.md). One guest with the channel, an ext4 root
// and a NIC on the test's own bridge with DHCP (net-lab.ts): the port's state in the live XML,
// a raw command, domifaddr --source agent (the leased address) and --source arp (after a ping), a quiesced
// disk-only snapshot (the freeze is read back from qemu-ga's own log), reboot --mode agent, a daemon restart, then shutdown --mode
// agent. One guest with the channel but no agent running: AGENT_UNAVAILABLE, clearly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { isVirtkitError } from '../../src/core/errors.js';
import { GUEST_APPEND, GUEST_NET_DHCP, GUEST_READY_MARKER, GUEST_ROOT_APPEND, bridgeInterfaceXml, guestDomainXml, leaseLine, virtioDiskXml } from '../helpers/guest.js';
import { linksNamed, startNetLab } from '../helpers/net-lab.js';
import { until } from '../helpers/wait.js';
import type { Harness } from './lifecycle-harness.js';
import { console as guestConsole, fileExists, withGuest } from './snapshot-guest.js';

const CHANNEL = `    <channel type='unix'>
      <target type='virtio' name='org.qemu.guest_agent.0'/>
    </channel>
`;

const agent = (h: Harness, name: string, execute: string, args?: Record<string, unknown>) =>
  h.engine.dispatch({ kind: 'agentCommand', name, command: { execute, ...(args === undefined ? {} : { arguments: args }) } });

/** Until the guest's qemu-ga answers (it starts with the guest, a moment before or after the marker). */
const agentUp = (h: Harness, name: string) =>
  until(`${name}'s guest agent answers`, () => agent(h, name, 'guest-ping').then(() => true, (e: unknown) => {
    if (isVirtkitError(e) && e.code === 'AGENT_UNAVAILABLE') return false;
    throw e;
  }));

/** A file in the guest, read through the agent (guest-file-open/read/close). */
async function guestFile(h: Harness, name: string, path: string): Promise<string> {
  const handle = await agent(h, name, 'guest-file-open', { path, mode: 'r' });
  try {
    const parts: Buffer[] = [];
    for (;;) {
      const r = await agent(h, name, 'guest-file-read', { handle, count: 65536 }) as { 'buf-b64': string; eof: boolean };
      parts.push(Buffer.from(r['buf-b64'], 'base64'));
      if (r.eof) return Buffer.concat(parts).toString('utf8');
    }
  } finally {
    await agent(h, name, 'guest-file-close', { handle });
  }
}

const tag = `vkqga${process.pid % 10000}`;
const MAC = '52:54:00:6a:61:01';

test('a guest with qemu-ga: state, raw commands, domifaddr --source agent and arp, --quiesce, shutdown --mode agent', { timeout: 300_000 }, async () => {
  const lab = await startNetLab(`${tag}br`);
  try {
    await withGuest('vk-qga-', async (h, dir, overlay) => {
      const devices = virtioDiskXml(overlay, 'vda', 'qcow2') + bridgeInterfaceXml(lab.bridge, MAC, { target: `${tag}t` }) + CHANNEL;
      await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml('qga1', { append: `${GUEST_ROOT_APPEND} ${GUEST_NET_DHCP}`, devices }) });
      await h.engine.dispatch({ kind: 'start', name: 'qga1' });
      await h.remember('qga1');
      const shell = await guestConsole(h, 'qga1');
      await shell.waitFor(GUEST_READY_MARKER);
      await agentUp(h, 'qga1');
      const ip = await until('a DHCP lease on eth0', () => leaseLine('eth0').exec(shell.text)?.[1], 120_000);

      const live = await h.engine.dispatch({ kind: 'dumpxml', name: 'qga1' });
      assert.match(live, /<target type='virtio' name='org\.qemu\.guest_agent\.0' state='connected'\/>/);
      const info = await agent(h, 'qga1', 'guest-info') as { version: string; supported_commands: { name: string }[] };
      assert.match(info.version, /^7\.2/);
      assert.ok(info.supported_commands.some((c) => c.name === 'guest-fsfreeze-freeze'));
      await assert.rejects(agent(h, 'qga1', 'guest-no-such-command'),
        (e: unknown) => isVirtkitError(e) && e.code === 'AGENT_COMMAND_FAILED' && e.details?.['class'] === 'CommandNotFound');

      // The guest's own view: its name for the NIC, the MAC, the leased address.
      const addrs = await h.engine.dispatch({ kind: 'domIfAddr', name: 'qga1', source: 'agent' });
      const eth0 = addrs.find((i) => i.name === 'eth0');
      assert.equal(eth0?.mac, MAC, JSON.stringify(addrs));
      assert.deepEqual(eth0.addrs.filter((a) => a.type === 'ipv4'), [{ type: 'ipv4', addr: ip, prefix: 24 }]);
      assert.deepEqual((await h.engine.dispatch({ kind: 'domIfAddr', name: 'qga1', source: 'agent', iface: MAC })).map((i) => i.name), ['eth0']);
      // The host's view, once the guest has talked to it: the tap, the address, no prefix.
      await shell.check(`ping -c 1 -W 5 ${lab.gateway}`);
      assert.deepEqual(await h.engine.dispatch({ kind: 'domIfAddr', name: 'qga1', source: 'arp' }),
        [{ name: `${tag}t`, mac: MAC, addrs: [{ type: 'ipv4', addr: ip, prefix: 0 }] }]);

      // A quiesced disk-only snapshot: frozen while the overlay is switched in, thawed after.
      await shell.check('echo before > /before && sync');
      const snapOverlay = join(dir, 'root.snap1.qcow2');
      await h.engine.dispatch({
        kind: 'snapshotCreate', name: 'qga1', diskOnly: true, quiesce: true,
        xml: `<domainsnapshot><name>snap1</name><disks><disk name='vda' snapshot='external'><source file='${snapOverlay}'/></disk></disks></domainsnapshot>`,
      });
      assert.equal(await agent(h, 'qga1', 'guest-fsfreeze-status'), 'thawed');
      const log = await guestFile(h, 'qga1', '/run/qemu-ga.log');
      // qemu-ga stops logging while the file systems are frozen, and says so.
      const freeze = log.indexOf('disabling logging due to filesystem freeze');
      assert.ok(freeze !== -1 && log.indexOf('logging re-enabled due to filesystem unfreeze', freeze) !== -1,
        `qemu-ga's log shows the freeze, then the thaw:\n${log.slice(-4000)}`);
      await shell.check('echo after > /after && sync');
      assert.ok(await fileExists(shell, '/before'));
      assert.equal((await shell.check('cat /after')).trim(), 'after');

      // reboot --mode agent: the guest resets (its marker again, the same QEMU) and its agent comes back.
      const boots = shell.text.split(GUEST_READY_MARKER).length;
      await h.engine.dispatch({ kind: 'reboot', name: 'qga1', mode: 'agent' });
      await until('the guest booted again', () => shell.text.split(GUEST_READY_MARKER).length > boots || undefined, 120_000);
      assert.match(shell.text, /virtkit-guest: guest agent: rebooting/);
      await agentUp(h, 'qga1');
      assert.equal((await h.engine.dispatch({ kind: 'get', name: 'qga1' })).state, 'running');

      // A restarted daemon re-attaches and reaches the agent again (query-chardev: the port is open).
      await h.restart();
      assert.deepEqual(await agent(h, 'qga1', 'guest-ping'), {});
      assert.match(await h.engine.dispatch({ kind: 'dumpxml', name: 'qga1' }), /name='org\.qemu\.guest_agent\.0' state='connected'\/>/);

      await h.engine.dispatch({ kind: 'shutdown', name: 'qga1', mode: 'agent' });
      await until('qga1 shut off', async () => (await h.engine.dispatch({ kind: 'get', name: 'qga1' })).state === 'shutoff');
    });
  } finally {
    await lab.stop();
  }
  assert.deepEqual(await linksNamed(tag), [], 'no tap or bridge of the test is left');
});

test('a guest with the channel but no agent running: AGENT_UNAVAILABLE, the port disconnected', { timeout: 120_000 }, () =>
  withGuest('vk-qga-', async (h) => {
    await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml('qga2', { append: `${GUEST_APPEND} virtkit.agent=0`, devices: CHANNEL }) });
    await h.engine.dispatch({ kind: 'start', name: 'qga2' });
    await h.remember('qga2');
    await (await guestConsole(h, 'qga2')).waitFor(GUEST_READY_MARKER);
    const unavailable = (e: unknown): boolean => isVirtkitError(e) && e.code === 'AGENT_UNAVAILABLE' && /not connected/.test(e.message);
    await assert.rejects(agent(h, 'qga2', 'guest-ping'), unavailable);
    await assert.rejects(h.engine.dispatch({ kind: 'domIfAddr', name: 'qga2', source: 'agent' }), unavailable);
    await assert.rejects(h.engine.dispatch({ kind: 'shutdown', name: 'qga2', mode: 'agent' }), unavailable);
    assert.match(await h.engine.dispatch({ kind: 'dumpxml', name: 'qga2' }), /name='org\.qemu\.guest_agent\.0' state='disconnected'\/>/);
    await h.engine.dispatch({ kind: 'destroy', name: 'qga2' });
  }));
