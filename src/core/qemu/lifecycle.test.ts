import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LifecycleEffect, LifecycleInput, LifecyclePolicy, Tracker } from './lifecycle.js';
import { DEFAULT_POLICY, initialTracker, stateFromQueryStatus, step } from './lifecycle.js';

/** Runs inputs through the machine; returns the last tracker and every effect in order. */
function run(t: Tracker, ...inputs: LifecycleInput[]): { t: Tracker; effects: LifecycleEffect[] } {
  const effects: LifecycleEffect[] = [];
  for (const i of inputs) {
    const s = step(t, i);
    t = s.tracker;
    effects.push(...s.effects);
  }
  return { t, effects };
}

const qmp = (event: string, data?: Record<string, unknown>): LifecycleInput => (data === undefined ? { type: 'qmp', event } : { type: 'qmp', event, data });
const req = (op: 'cont' | 'stop' | 'reboot' | 'destroy' | 'quit'): LifecycleInput => ({ type: 'request', op });
const exit: LifecycleInput = { type: 'exit' };
const guestOff = qmp('SHUTDOWN', { guest: true, reason: 'guest-shutdown' });
const policy = (p: Partial<LifecyclePolicy>): LifecyclePolicy => ({ ...DEFAULT_POLICY, ...p });
const booted = (p: LifecyclePolicy = DEFAULT_POLICY): Tracker => run(initialTracker(p), req('cont'), qmp('RESUME')).t;

test('start: starting-up, then running/booted with no event (the engine records the start)', () => {
  const t0 = initialTracker(DEFAULT_POLICY);
  assert.deepEqual(t0.state, { state: 'paused', reason: 'starting-up' });
  const { t, effects } = run(t0, req('cont'), qmp('RESUME'));
  assert.deepEqual(t.state, { state: 'running', reason: 'booted' });
  assert.deepEqual(effects, []);
});

test('suspend and resume: paused/user, then running/unpaused, each with its event', () => {
  const s = run(booted(), req('stop'), qmp('STOP'));
  assert.deepEqual(s.t.state, { state: 'paused', reason: 'user' });
  assert.deepEqual(s.effects, [{ type: 'event', event: { type: 'suspended', reason: 'user' } }]);
  const r = run(s.t, req('cont'), qmp('RESUME'));
  assert.deepEqual(r.t.state, { state: 'running', reason: 'unpaused' });
  assert.deepEqual(r.effects, [{ type: 'event', event: { type: 'resumed', reason: 'unpaused' } }]);
});

test('a STOP nobody asked for is paused/unknown, after a stopping I/O error paused/ioerror', () => {
  assert.deepEqual(run(booted(), qmp('STOP')).t.state, { state: 'paused', reason: 'unknown' });
  assert.deepEqual(run(booted(), qmp('BLOCK_IO_ERROR', { action: 'stop' }), qmp('STOP')).t.state, { state: 'paused', reason: 'ioerror' });
});

test('guest power-off with on_poweroff=destroy: shutdown event, quit, then shutoff/shutdown', () => {
  const s = run(booted(), qmp('POWERDOWN'), guestOff, qmp('STOP'));
  assert.deepEqual(s.effects, [{ type: 'event', event: { type: 'shutdown', by: 'guest' } }, { type: 'quit' }]);
  const e = run(s.t, req('quit'), qmp('SHUTDOWN', { guest: false, reason: 'host-qmp-quit' }), exit);
  assert.deepEqual(e.t.state, { state: 'shutoff', reason: 'shutdown' });
  assert.deepEqual(e.effects, [{ type: 'event', event: { type: 'stopped', reason: 'shutdown' } }]);
});

test('guest power-off with on_poweroff=restart resets and continues: running/booted', () => {
  const s = run(booted(policy({ onPoweroff: 'restart' })), guestOff, qmp('STOP'));
  assert.deepEqual(s.effects, [{ type: 'reset-and-cont' }]);
  const r = run(s.t, qmp('RESET', { guest: false, reason: 'host-qmp-system-reset' }), qmp('RESUME'));
  assert.deepEqual(r.t.state, { state: 'running', reason: 'booted' });
});

test('guest power-off with on_poweroff=preserve stays paused/shutting-down', () => {
  const s = run(booted(policy({ onPoweroff: 'preserve' })), guestOff, qmp('STOP'));
  assert.deepEqual(s.t.state, { state: 'paused', reason: 'shutting-down' });
  assert.ok(!s.effects.some((e) => e.type === 'quit'));
});

test('virsh reboot: the power-off that follows resets instead of stopping, once', () => {
  const s = run(booted(), req('reboot'), qmp('POWERDOWN'), guestOff, qmp('STOP'));
  assert.deepEqual(s.effects, [{ type: 'reset-and-cont' }]);
  const r = run(s.t, qmp('RESET', { guest: false }), qmp('RESUME'));
  assert.deepEqual(r.t.state, { state: 'running', reason: 'booted' });
  assert.deepEqual(r.effects, [], 'a reboot reports no resume: the domain never stopped running');
  // The next power-off is an ordinary one.
  assert.deepEqual(run(r.t, guestOff).effects.at(-1), { type: 'quit' });
});

test('guest reboot: on_reboot=restart lets QEMU reset; on_reboot=destroy stops it', () => {
  const reset = qmp('RESET', { guest: true, reason: 'guest-reset' });
  assert.deepEqual(run(booted(), reset).effects, []);
  const d = run(booted(policy({ onReboot: 'destroy' })), reset);
  assert.deepEqual(d.effects, [{ type: 'quit' }]);
  assert.deepEqual(run(d.t, exit).t.state, { state: 'shutoff', reason: 'shutdown' });
  // With -no-reboot QEMU reports the reboot as a SHUTDOWN with reason guest-reset.
  const n = run(booted(policy({ onReboot: 'destroy' })), qmp('SHUTDOWN', { guest: true, reason: 'guest-reset' }));
  assert.deepEqual(n.effects.at(-1), { type: 'quit' });
});

test('panic with on_crash=destroy: crashed/panicked, quit, then shutoff/crashed', () => {
  const s = run(booted(), qmp('GUEST_PANICKED', { action: 'pause' }), qmp('STOP'));
  assert.deepEqual(s.t.state, { state: 'crashed', reason: 'panicked' });
  assert.deepEqual(s.effects, [{ type: 'event', event: { type: 'crashed', reason: 'panicked' } }, { type: 'quit' }]);
  assert.deepEqual(run(s.t, req('quit'), exit).t.state, { state: 'shutoff', reason: 'crashed' });
});

test('panic with on_crash=restart: reset and cont, running/crashed as libvirt reports it', () => {
  const s = run(booted(policy({ onCrash: 'restart' })), qmp('GUEST_PANICKED', { action: 'pause' }), qmp('STOP'));
  assert.deepEqual(s.effects.at(-1), { type: 'reset-and-cont' });
  const r = run(s.t, qmp('RESUME'));
  assert.deepEqual(r.t.state, { state: 'running', reason: 'crashed' });
  assert.deepEqual(r.effects, [{ type: 'event', event: { type: 'resumed', reason: 'crashed' } }]);
});

test('panic with on_crash=preserve leaves it crashed/panicked', () => {
  const s = run(booted(policy({ onCrash: 'preserve' })), qmp('GUEST_PANICKED'), qmp('STOP'));
  assert.deepEqual(s.t.state, { state: 'crashed', reason: 'panicked' });
  assert.equal(s.effects.length, 1);
});

test('an exit nobody announced is shutoff/crashed; after destroy it is shutoff/destroyed', () => {
  const k = run(booted(), exit);
  assert.deepEqual(k.effects, [{ type: 'event', event: { type: 'stopped', reason: 'crashed' } }]);
  const d = run(booted(), req('destroy'), qmp('SHUTDOWN', { guest: false, reason: 'host-signal' }), exit);
  assert.deepEqual(d.t.state, { state: 'shutoff', reason: 'destroyed' });
  assert.deepEqual(d.effects, [{ type: 'event', event: { type: 'stopped', reason: 'destroyed' } }]);
});

test('a SIGTERM from someone else: shutdown by host, then shutoff/shutdown', () => {
  const s = run(booted(), qmp('SHUTDOWN', { guest: false, reason: 'host-signal' }), qmp('STOP'), exit);
  assert.deepEqual(s.effects, [
    { type: 'event', event: { type: 'shutdown', by: 'host' } },
    { type: 'event', event: { type: 'stopped', reason: 'shutdown' } },
  ]);
});

test('stopped is reported once; a dead tracker ignores everything', () => {
  const s = run(booted(), exit, exit, qmp('RESUME'), req('cont'));
  assert.equal(s.effects.length, 1);
});

test('query-status maps onto states', () => {
  assert.deepEqual(stateFromQueryStatus('running', true), { state: 'running', reason: 'unknown' });
  assert.deepEqual(stateFromQueryStatus('guest-panicked', false), { state: 'crashed', reason: 'panicked' });
  assert.deepEqual(stateFromQueryStatus('paused', false), { state: 'paused', reason: 'user' });
  assert.deepEqual(stateFromQueryStatus('shutdown', false), { state: 'paused', reason: 'shutting-down' });
});
