import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { VirtkitError } from '../../../src/core/errors.js';
import { connectQmp } from '../../../src/host/qmp/index.js';
import { startTestQemu } from '../../helpers/qemu-spawn.js';

const code = (e: unknown) => (e instanceof VirtkitError ? e.code : String(e));

test('query-version, concurrent commands, HMP passthrough', { timeout: 60_000 }, async () => {
  const q = await startTestQemu(['-accel', 'tcg', '-machine', 'none', '-S']);
  try {
    const conn = await connectQmp(q.qmpPath, { timeoutMs: 10_000 });
    const v = await conn.execute('query-version');
    assert.deepEqual(v, conn.version, 'query-version agrees with the greeting');
    assert.ok(v.qemu.major >= 7, `QEMU ${JSON.stringify(v.qemu)}`);
    // Many commands in flight at once, each gets its own answer.
    const [status, kvm, chardevs, hmp] = await Promise.all([
      conn.execute('query-status'),
      conn.execute('query-kvm'),
      conn.execute('query-chardev'),
      conn.execute('human-monitor-command', { 'command-line': 'info version' }),
    ]);
    assert.equal(status.status, 'prelaunch');
    assert.equal(status.running, false);
    assert.equal(kvm.enabled, false, 'TCG was asked for');
    assert.ok(chardevs.some((c) => c.label === 'qmp'), JSON.stringify(chardevs));
    assert.ok(hmp.startsWith(`${v.qemu.major}.${v.qemu.minor}.${v.qemu.micro}`), JSON.stringify(hmp));
    const burst = await Promise.all(Array.from({ length: 20 }, () => conn.execute('query-version')));
    assert.equal(burst.length, 20);
    await conn.close();
    assert.equal(q.child.exitCode, null, 'closing the connection leaves QEMU running');
  } finally {
    await q.stop();
  }
});

test('error replies: unknown command, unknown device type', { timeout: 60_000 }, async () => {
  const q = await startTestQemu(['-accel', 'tcg', '-machine', 'none', '-S']);
  try {
    const conn = await connectQmp(q.qmpPath);
    await assert.rejects(conn.executeRaw('no-such-command'), (e: unknown) =>
      e instanceof VirtkitError && e.code === 'QMP_COMMAND_FAILED' && e.details?.['class'] === 'CommandNotFound'
      && e.details['command'] === 'no-such-command');
    await assert.rejects(conn.execute('device-list-properties', { typename: 'no-such-device' }), (e: unknown) =>
      e instanceof VirtkitError && e.details?.['class'] === 'DeviceNotFound' && /no-such-device/.test(String(e.details['desc'])));
    // QEMU 7.2 has no query-accelerators (8.2 added it).
    await assert.rejects(conn.executeRaw('query-accelerators'), (e: unknown) => e instanceof VirtkitError && e.details?.['class'] === 'CommandNotFound');
    // The connection is still fine after errors.
    assert.equal((await conn.execute('query-status')).running, false);
    await conn.close();
  } finally {
    await q.stop();
  }
});

test('events: cont and stop on a paused pc machine give RESUME and STOP', { timeout: 60_000 }, async () => {
  const q = await startTestQemu(['-accel', 'tcg', '-machine', 'pc', '-m', '32', '-S']);
  try {
    const conn = await connectQmp(q.qmpPath);
    const seen: string[] = [];
    conn.on('event', (ev) => seen.push(ev.event));
    const resumed = conn.waitForEvent('RESUME', { timeoutMs: 10_000 });
    await conn.execute('cont');
    await resumed;
    assert.equal((await conn.execute('query-status')).status, 'running');
    const events = conn.events();
    await conn.execute('stop');
    const next = await events.next();
    assert.equal(next.done === true ? 'end' : next.value.event, 'STOP');
    assert.equal((await conn.execute('query-status')).status, 'paused');
    assert.deepEqual(seen, ['RESUME', 'STOP']);
    const cpus = await conn.execute('query-cpus-fast');
    assert.equal(cpus.length, 1);
    assert.equal(cpus[0]?.target, 'x86_64');
    const pci = await conn.execute('query-pci');
    assert.ok((pci[0]?.devices.length ?? 0) >= 2, 'host bridge and ISA bridge');
    await conn.close();
  } finally {
    await q.stop();
  }
});

test('QEMU quitting: quit resolves, SHUTDOWN arrives, disconnected fires, QEMU exits', { timeout: 60_000 }, async () => {
  const q = await startTestQemu(['-accel', 'tcg', '-machine', 'none', '-S']);
  try {
    const conn = await connectQmp(q.qmpPath);
    const shutdown = conn.waitForEvent('SHUTDOWN');
    await conn.execute('quit');
    assert.equal((await shutdown).data.reason, 'host-qmp-quit');
    assert.equal((await conn.disconnected).reason, 'closed');
    assert.equal(conn.isConnected, false);
    await assert.rejects(conn.execute('query-status'), (e) => code(e) === 'QMP_DISCONNECTED');
    assert.deepEqual(await q.exited, { code: 0, signal: null });
  } finally {
    await q.stop();
  }
});

test('QEMU killed: a waiting command fails with QMP_DISCONNECTED', { timeout: 60_000 }, async () => {
  const q = await startTestQemu(['-accel', 'tcg', '-machine', 'none', '-S']);
  try {
    const conn = await connectQmp(q.qmpPath);
    const gone = conn.waitForEvent('RESUME', { timeoutMs: 0 });
    q.child.kill('SIGKILL');
    await assert.rejects(gone, (e) => code(e) === 'QMP_DISCONNECTED');
    assert.equal((await conn.disconnected).reason, 'closed');
    assert.equal((await q.exited).signal, 'SIGKILL');
  } finally {
    await q.stop();
  }
});

test('connect: no socket -> QMP_TIMEOUT after retrying, QMP_DISCONNECTED without retry', async () => {
  const q = await startTestQemu(['-accel', 'tcg', '-machine', 'none', '-S']);
  try {
    const missing = join(q.dir, 'missing.sock');
    await assert.rejects(connectQmp(missing, { timeoutMs: 200 }), (e) => code(e) === 'QMP_TIMEOUT');
    // Retrying means a socket that appears after the first attempt is still reached: the
    // monitor socket is moved to the missing path only once a connect has been refused there.
    const late = connectQmp(missing, { timeoutMs: 30_000 });
    await assert.rejects(connectQmp(missing, { retry: false }), (e) => code(e) === 'QMP_DISCONNECTED');
    await rename(q.qmpPath, missing);
    const conn = await late;
    assert.equal((await conn.execute('query-status')).status, 'prelaunch');
    await conn.close();
    await rename(missing, q.qmpPath);
    await assert.rejects(connectQmp(missing, { retry: false }), (e) => code(e) === 'QMP_DISCONNECTED');
    const ac = new AbortController();
    const aborted = connectQmp(missing, { timeoutMs: 10_000, signal: ac.signal });
    ac.abort(new Error('QEMU exited'));
    await assert.rejects(aborted, (e) => code(e) === 'QMP_DISCONNECTED');
  } finally {
    await q.stop();
  }
});
