// The test guest's own network switches under bare QEMU (TCG) with QEMU's user-mode network,
// whose built-in DHCP server hands out 10.0.2.15: virtkit.net=dhcp prints the lease after the
// ready marker (the marker does not wait for it); virtkit.net=static:IP/PREFIX,GW prints the
// static address; a bad value prints an error and the guest still boots to its marker.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { GUEST_APPEND, GUEST_READY_MARKER, ensureTestGuest, leaseLine } from '../../helpers/guest.js';
import { until } from '../../helpers/wait.js';

/** Boots the guest with `extra` on its kernel command line and one virtio NIC on user networking; the console until `done`. */
async function consoleOf(extra: string, done: (text: string) => boolean): Promise<string> {
  const g = await ensureTestGuest();
  const child = spawn('qemu-system-x86_64', [
    '-accel', 'tcg', '-m', '256', '-nodefaults', '-no-user-config', '-display', 'none', '-serial', 'stdio',
    '-kernel', g.kernel, '-initrd', g.initrd, '-append', `${GUEST_APPEND} ${extra}`,
    '-netdev', 'user,id=n0', '-device', 'virtio-net-pci,netdev=n0',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (c: Buffer) => { text += c.toString('utf8'); });
  child.stderr.on('data', (c: Buffer) => { text += c.toString('utf8'); });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await until(`the console to show what ${extra} does`, () => done(text) || undefined, 120_000);
    return text;
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

test('virtkit.net=dhcp: the lease line comes after the ready marker', { timeout: 300_000 }, async () => {
  const text = await consoleOf('virtkit.net=dhcp', (t) => leaseLine().test(t));
  assert.equal(leaseLine().exec(text)?.[1], '10.0.2.15');
  assert.ok(text.indexOf(GUEST_READY_MARKER) >= 0 && text.indexOf(GUEST_READY_MARKER) < text.search(leaseLine()), text);
});

test('virtkit.net=static: eth0 gets the address given; a bad value is reported and the guest boots on', { timeout: 300_000 }, async () => {
  const text = await consoleOf('virtkit.net=static:10.0.2.99/24,10.0.2.2', (t) => leaseLine().test(t));
  assert.deepEqual(leaseLine().exec(text)?.slice(1, 3), ['10.0.2.99', '24']);
  const bad = await consoleOf('virtkit.net=bogus', (t) => t.includes(GUEST_READY_MARKER));
  assert.match(bad, /virtkit-guest: error: virtkit\.net=bogus: want dhcp or static:IP\/PREFIX\[,GW\]/);
});
