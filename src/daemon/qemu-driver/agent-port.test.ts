import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DomainDef } from '../../core/xml/domain/index.js';
import { agentChannel, hasAgentChannel } from './agent-port.js';

const def = (channel: unknown[]): DomainDef => ({ devices: { channel } }) as unknown as DomainDef;
const target = { type: 'virtio', name: 'org.qemu.guest_agent.0' };

test("the agent socket: the channel's path, else org.qemu.guest_agent.0 in the run dir", () => {
  assert.deepEqual(agentChannel(def([{ type: 'unix', target, alias: { name: 'channel0' } }]), '/run/vk/d/x'),
    { alias: 'channel0', path: '/run/vk/d/x/org.qemu.guest_agent.0' });
  assert.deepEqual(agentChannel(def([{ type: 'unix', source: [{ mode: 'bind', path: '/tmp/a.sock' }], target, alias: { name: 'ch1' } }]), '/r'),
    { alias: 'ch1', path: '/tmp/a.sock' });
});

test('no agent channel, or one QEMU does not listen on, says why', () => {
  assert.match(String(agentChannel(def([]), '/r')), /no guest agent channel/);
  assert.match(String(agentChannel(def([{ type: 'unix', target: { type: 'virtio', name: 'other' }, alias: { name: 'c' } }]), '/r')), /no guest agent channel/);
  assert.match(String(agentChannel(def([{ type: 'pty', target, alias: { name: 'c' } }]), '/r')), /not a unix socket/);
  assert.match(String(agentChannel(def([{ type: 'unix', source: [{ mode: 'connect', path: '/x' }], target, alias: { name: 'c' } }]), '/r')), /not a unix socket/);
});

test('hasAgentChannel notices the channel by its target name, usable or not', () => {
  assert.equal(hasAgentChannel(def([])), false);
  assert.equal(hasAgentChannel(def([{ type: 'unix', target: { type: 'virtio', name: 'other' } }])), false);
  assert.equal(hasAgentChannel(def([{ type: 'pty', target }])), true);
});
