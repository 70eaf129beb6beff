import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtkitError, isVirtkitError } from '../../core/errors.js';
import type { DomainAgent } from '../driver.js';
import { whileFrozen } from './quiesce.js';

function recorder(fail: Partial<Record<string, VirtkitError>> = {}): DomainAgent & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    execute(cmd) {
      calls.push(cmd);
      const e = fail[cmd];
      return e === undefined ? Promise.resolve(cmd === 'guest-fsfreeze-freeze' ? 1 : 0) : Promise.reject(e);
    },
  };
}

test('freezes, runs the switch, thaws', async () => {
  const a = recorder();
  assert.equal(await whileFrozen(a, 'vm', () => { a.calls.push('switch'); return Promise.resolve(7); }), 7);
  assert.deepEqual(a.calls, ['guest-fsfreeze-freeze', 'switch', 'guest-fsfreeze-thaw']);
});

test('a failed switch still thaws, and its own error comes out', async () => {
  const a = recorder();
  await assert.rejects(whileFrozen(a, 'vm', () => Promise.reject(new VirtkitError('QMP_COMMAND_FAILED', 'blockdev-snapshot failed'))), /blockdev-snapshot failed/);
  assert.deepEqual(a.calls, ['guest-fsfreeze-freeze', 'guest-fsfreeze-thaw']);
});

test('a failed freeze switches nothing; a failed thaw says the snapshot was taken and what to run', async () => {
  const a = recorder({ 'guest-fsfreeze-freeze': new VirtkitError('AGENT_UNAVAILABLE', 'guest agent unavailable: x') });
  await assert.rejects(whileFrozen(a, 'vm', () => { a.calls.push('switch'); return Promise.resolve(); }), (e) => isVirtkitError(e) && e.code === 'AGENT_UNAVAILABLE');
  assert.deepEqual(a.calls, ['guest-fsfreeze-freeze']);
  const b = recorder({ 'guest-fsfreeze-thaw': new VirtkitError('AGENT_UNRESPONSIVE', 'no answer') });
  await assert.rejects(whileFrozen(b, 'vm', () => Promise.resolve()),
    (e) => isVirtkitError(e) && e.code === 'AGENT_UNRESPONSIVE' && /snapshot was taken.*domfsthaw vm/.test(e.message));
});
