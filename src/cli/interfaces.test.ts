import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CliError } from './framework.js';
import { attachInterfaceXml, detachInterfaceXml, findInterface } from './interfaces.js';

test('attach-interface XML: bridge and network take the source, ethernet a managed target, values escaped', () => {
  assert.equal(attachInterfaceXml({ type: 'bridge', source: 'br0', mac: '52:54:00:00:00:01', model: 'virtio' }),
    "<interface type='bridge'>\n  <source bridge='br0'/>\n  <mac address='52:54:00:00:00:01'/>\n  <model type='virtio'/>\n</interface>\n");
  assert.equal(attachInterfaceXml({ type: 'network', source: "a'b", target: 'tap1' }),
    "<interface type='network'>\n  <source network='a&apos;b'/>\n  <target dev='tap1'/>\n</interface>\n");
  assert.equal(attachInterfaceXml({ type: 'ethernet', target: 'mytap' }), "<interface type='ethernet'>\n  <target dev='mytap' managed='yes'/>\n</interface>\n");
  assert.equal(attachInterfaceXml({ type: 'user', source: 'ignored' }), "<interface type='user'>\n</interface>\n");
  assert.throws(() => attachInterfaceXml({ type: 'bridge' }), (e: unknown) => e instanceof CliError && /needs a source/.test(e.message));
  assert.throws(() => attachInterfaceXml({ type: 'direct', source: 'eth0' }), (e: unknown) => e instanceof CliError && /No support for direct/.test(e.message));
});

test('detach-interface XML and finding an interface by tap or MAC', () => {
  assert.equal(detachInterfaceXml('bridge', undefined), "<interface type='bridge'/>\n");
  assert.equal(detachInterfaceXml('bridge', '52:54:00:00:00:01'), "<interface type='bridge'><mac address='52:54:00:00:00:01'/></interface>\n");
  const xml = `<domain type='qemu'><name>x</name><memory>1024</memory><devices>
    <interface type='bridge'><source bridge='br0'/><target dev='vnet3'/><mac address='52:54:00:aa:bb:cc'/><link state='down'/></interface></devices></domain>`;
  assert.equal(findInterface(xml, 'vnet3')?.link?.state, 'down');
  assert.equal(findInterface(xml, '52:54:00:AA:BB:CC')?.target?.dev, 'vnet3');
  assert.equal(findInterface(xml, 'vnet4'), undefined);
});
