/**
 * The guest agent commands in-process through the CLI against a real rooted daemon, on a real
 * TCG guest running qemu-ga (docs/guest-agent.md): qemu-agent-command (one line, --pretty, an
 * agent error, a malformed command), domfsfreeze/domfsthaw, domifaddr --source agent, shutdown
 * --mode agent; and a guest without the channel: virsh's two-line failure with AGENT_UNAVAILABLE.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { GUEST_APPEND, ensureTestGuest } from '../helpers/guest.js';
import { until } from '../helpers/wait.js';
import { cli, inProcessDaemon, isAlive } from './daemon-harness.js';

async function domainXml(name: string, channel: boolean): Promise<string> {
  const g = await ensureTestGuest();
  return `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>${g.kernel}</kernel><initrd>${g.initrd}</initrd><cmdline>${GUEST_APPEND}</cmdline></os>
  <features><acpi/></features>
  <devices>
    <serial type='pty'/>
    <console type='pty'/>
${channel ? "    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>\n" : ''}  </devices>
</domain>
`;
}

test('qemu-agent-command, domfsfreeze/domfsthaw, domifaddr --source agent and shutdown --mode agent through the CLI', { timeout: 180_000 }, async () => {
  const d = await inProcessDaemon();
  const pids: number[] = [];
  try {
    await writeFile(join(d.root, 'ga.xml'), await domainXml('ga', true));
    await writeFile(join(d.root, 'nga.xml'), await domainXml('nga', false));
    for (const n of ['ga', 'nga']) {
      assert.equal((await cli(d.root, ['define', `${n}.xml`])).code, 0);
      assert.equal((await cli(d.root, ['start', n])).code, 0);
      pids.push((await d.daemon.engine.ctx.statusOf(d.daemon.engine.ctx.registry.named(n)))?.pid ?? -1);
    }
    const ping = await until('the guest agent answers', async () => {
      const r = await cli(d.root, ['qemu-agent-command', 'ga', '{"execute":"guest-ping"}']);
      return r.code === 0 ? r : undefined;
    });
    assert.deepEqual(ping, { code: 0, stdout: '{"return":{}}\n\n', stderr: '' });
    assert.deepEqual(await cli(d.root, ['qemu-agent-command', 'ga', '{"execute":"guest-ping"}', '--pretty', '--timeout', '20']),
      { code: 0, stdout: '{\n  "return": {}\n}\n\n', stderr: '' });
    const bad = await cli(d.root, ['qemu-agent-command', 'ga', '{"execute":"guest-nope"}']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error: the guest agent refused 'guest-nope': .*guest-nope.* \(CommandNotFound\)\n$/);
    const malformed = await cli(d.root, ['qemu-agent-command', 'ga', '{"execute":"guest-ping","id":1}']);
    assert.notEqual(malformed.code, 0);
    assert.match(malformed.stderr, /invalid agent command: unknown keys: id/);

    // virsh ends each command's output with a blank line.
    // The initramfs has no file system qemu-ga freezes: none frozen, none thawed, both answered.
    assert.deepEqual(await cli(d.root, ['domfsfreeze', 'ga']), { code: 0, stdout: 'Froze 0 filesystem(s)\n\n', stderr: '' });
    assert.deepEqual(await cli(d.root, ['domfsthaw', 'ga']), { code: 0, stdout: 'Thawed 0 filesystem(s)\n\n', stderr: '' });
    const ifaddr = await cli(d.root, ['domifaddr', 'ga', '--source', 'agent', '--json']);
    assert.equal(ifaddr.code, 0, ifaddr.stderr);
    assert.ok((JSON.parse(ifaddr.stdout) as { name: string }[]).some((i) => i.name === 'lo'), ifaddr.stdout);

    const noAgent = await cli(d.root, ['domfsfreeze', 'nga']);
    assert.equal(noAgent.code, 1);
    assert.match(noAgent.stderr, /^error: Unable to freeze filesystems\nerror: guest agent unavailable: the domain has no guest agent channel/);
    const noShutdown = await cli(d.root, ['shutdown', 'nga', '--mode', 'agent']);
    assert.match(noShutdown.stderr, /^error: Failed to shutdown domain 'nga'\nerror: cannot shut down with --mode agent: the domain has no guest agent channel/);

    assert.deepEqual(await cli(d.root, ['shutdown', 'ga', '--mode', 'agent']), { code: 0, stdout: "Domain 'ga' is being shutdown\n\n", stderr: '' });
    await until('ga shut off', async () => (await cli(d.root, ['domstate', 'ga'])).stdout === 'shut off\n\n' || undefined);
    assert.equal((await cli(d.root, ['destroy', 'nga'])).code, 0);
  } finally {
    for (const n of ['ga', 'nga']) await cli(d.root, ['destroy', n]);
    await d.close();
  }
  for (const pid of pids) assert.equal(isAlive(pid), false, `QEMU ${pid} is gone`);
});
