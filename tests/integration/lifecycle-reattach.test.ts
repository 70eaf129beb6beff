// Restart safety on real TCG guests: a daemon engine in a child process
// starts guests and is killed with SIGKILL; a new engine on the same root
// re-attaches to the guests that still run (same pid, start time, monitor)
// and controls them, and marks the ones that died meanwhile shut off.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { ConsoleReader, assertNoLeftovers, createHarness } from './lifecycle-harness.js';
import type { Harness } from './lifecycle-harness.js';
import { GUEST_READY_MARKER, guestDomainXml } from '../helpers/guest.js';
import { until } from '../helpers/wait.js';
import { isSameProcess } from '../../src/host/qemu/process.js';

const harnessUrl = new URL('./lifecycle-harness.js', import.meta.url).href;
const guestUrl = new URL('../helpers/guest.js', import.meta.url).href;

/**
 * Runs an engine on `root` in a child node process, defines and starts
 * `names`, waits for their markers, prints READY and waits to be killed.
 */
function childDaemon(root: string, names: string[]): Promise<{ kill: () => Promise<void> }> {
  const script = `
    const { openHarness, ConsoleReader } = await import(${JSON.stringify(harnessUrl)});
    const { guestDomainXml, GUEST_READY_MARKER } = await import(${JSON.stringify(guestUrl)});
    const h = await openHarness(${JSON.stringify(root)});
    for (const name of ${JSON.stringify(names)}) {
      await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml(name) });
      await h.engine.dispatch({ kind: 'start', name });
      const r = new ConsoleReader((await h.engine.dispatch({ kind: 'console', name })).stream);
      await r.waitFor(GUEST_READY_MARKER);
    }
    console.log('READY');
    setInterval(() => undefined, 1000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('READY')) resolve({ kill: async () => { child.kill('SIGKILL'); await exited; } });
    });
    void exited.then(() => reject(new Error(`the child daemon exited early: ${out}`)));
  });
}

const state = async (h: Harness, name: string): Promise<string> => {
  const d = await h.engine.dispatch({ kind: 'get', name });
  return `${d.state}/${d.reason}`;
};

test('kill -9 of the daemon with 3 guests running: a new daemon re-attaches, all still run and obey', { timeout: 180_000 }, async () => {
  const h = await createHarness();
  try {
    const names = ['r1', 'r2', 'r3'];
    const daemon = await childDaemon(h.root, names);
    await daemon.kill();
    // The guests outlived their daemon (own process group).
    await h.restart();
    for (const n of names) {
      assert.equal(await state(h, n), 'running/booted', `${n} after the restart`);
      await h.remember(n);
    }
    assert.equal(h.seen.length, 3);
    // Controllable: the console answers, suspend/resume work, and so do shutdown and destroy.
    const reader = new ConsoleReader((await h.engine.dispatch({ kind: 'console', name: 'r1' })).stream);
    await h.engine.dispatch({ kind: 'reboot', name: 'r1' });
    await reader.waitFor(GUEST_READY_MARKER);
    await h.engine.dispatch({ kind: 'suspend', name: 'r2' });
    assert.equal(await state(h, 'r2'), 'paused/user');
    await h.engine.dispatch({ kind: 'resume', name: 'r2' });
    await h.engine.dispatch({ kind: 'shutdown', name: 'r2' });
    await until('r2 shutoff/shutdown', async () => (await state(h, 'r2')) === 'shutoff/shutdown');
    for (const n of ['r1', 'r3']) await h.engine.dispatch({ kind: 'destroy', name: n });
    assert.equal(await state(h, 'r3'), 'shutoff/destroyed');
    await assertNoLeftovers(h);
  } finally {
    await h.close();
  }
});

test('a guest that died while no daemon ran is marked shut off and its files cleaned', { timeout: 120_000 }, async () => {
  const h = await createHarness();
  try {
    await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml('d1') });
    await h.engine.dispatch({ kind: 'start', name: 'd1' });
    await h.remember('d1');
    await h.engine.close(); // the daemon exits, the guest runs on
    const pid = h.seen[0]?.pid;
    assert.ok(pid !== undefined);
    process.kill(pid, 'SIGKILL');
    await until('QEMU gone', () => assertGone(h));
    await h.restart();
    assert.equal((await h.engine.dispatch({ kind: 'get', name: 'd1' })).state, 'shutoff');
    await assertNoLeftovers(h);
  } finally {
    await h.close();
  }
});

async function assertGone(h: Harness): Promise<boolean> {
  // The runtime dir is still there (nobody cleaned it): only the process must be gone.
  const s = h.seen[0];
  return s !== undefined && !(await isSameProcess(s.pid, s.ticks));
}
