// The --config side of the interface actions with the fake driver (no live NICs): attach-device
// of an <interface> adds it to the definition with a MAC, detach-device finds it by MAC or as the
// only one of its type, domif-setlink --config records <link state>; the live side needs a driver
// with LiveNics. The live side runs against real QEMU in tests/integration/net/bridge-guests.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeEngine } from '../../../tests/helpers/fake-engine.js';
import { isVirtkitError } from '../../core/errors.js';
import type { Engine } from './engine.js';

const code = (c: string, msg?: RegExp) => (e: unknown) => isVirtkitError(e) && e.code === c && (msg === undefined || msg.test(e.message));
const domain = "<domain type='kvm'><name>vm1</name><memory>1024</memory><devices><interface type='user'/></devices></domain>";

function setup(): Engine {
  return fakeEngine({ root: '/tmp/vk-iface-ops-test' });
}

const bridgeIface = (mac: string) => `<interface type='bridge'><source bridge='br0'/><mac address='${mac}'/><model type='virtio'/></interface>`;

describe('interface actions on the definition', () => {
  it('attach-device and detach-device of an <interface> with --config', async () => {
    const engine = setup();
    await engine.dispatch({ kind: 'define', xml: domain });
    await engine.dispatch({ kind: 'attachDevice', name: 'vm1', xml: bridgeIface('52:54:00:00:00:aa'), config: true });
    assert.match(await engine.dispatch({ kind: 'dumpxml', name: 'vm1' }), /<interface type='bridge'>\s*<mac address='52:54:00:00:00:aa'\/>\s*<source bridge='br0'\/>/);
    await assert.rejects(engine.dispatch({ kind: 'attachDevice', name: 'vm1', xml: bridgeIface('52:54:00:00:00:AA'), config: true }), code('XML_DUPLICATE', /MAC 52:54:00:00:00:aa/));
    // Without a MAC, the definition gives it one.
    await engine.dispatch({ kind: 'attachDevice', name: 'vm1', xml: "<interface type='bridge'><source bridge='br1'/></interface>" });
    const xml = await engine.dispatch({ kind: 'dumpxml', name: 'vm1' });
    assert.match(xml, /<mac address='52:54:00:[0-9a-f:]+'\/>\s*<source bridge='br1'\/>/);
    // Two bridge interfaces: a detach by type alone is ambiguous; by MAC it is not.
    await assert.rejects(engine.dispatch({ kind: 'detachDevice', name: 'vm1', xml: "<interface type='bridge'/>" }), code('OPERATION_INVALID', /2 interfaces with type 'bridge'/));
    await engine.dispatch({ kind: 'detachDevice', name: 'vm1', xml: "<interface type='bridge'><mac address='52:54:00:00:00:AA'/></interface>" });
    assert.doesNotMatch(await engine.dispatch({ kind: 'dumpxml', name: 'vm1' }), /00:00:aa|br0/);
    await engine.dispatch({ kind: 'detachDevice', name: 'vm1', xml: "<interface type='bridge'/>" });
    assert.doesNotMatch(await engine.dispatch({ kind: 'dumpxml', name: 'vm1' }), /type='bridge'/);
    await assert.rejects(engine.dispatch({ kind: 'detachDevice', name: 'vm1', xml: "<interface type='bridge'/>" }), code('NOT_FOUND', /no interface with type 'bridge' in its persistent definition/));
  });

  it('domif-setlink: --config records the link state; live needs a running domain and a driver with live NICs', async () => {
    const engine = setup();
    await engine.dispatch({ kind: 'define', xml: domain });
    const mac = /<mac address='([^']+)'/.exec(await engine.dispatch({ kind: 'dumpxml', name: 'vm1' }))?.[1] ?? '';
    await engine.dispatch({ kind: 'ifSetLink', name: 'vm1', iface: mac.toUpperCase(), state: 'down', config: true });
    assert.match(await engine.dispatch({ kind: 'dumpxml', name: 'vm1' }), /<link state='down'\/>/);
    await assert.rejects(engine.dispatch({ kind: 'ifSetLink', name: 'vm1', iface: mac, state: 'up' }), code('OPERATION_INVALID', /not running/));
    await assert.rejects(engine.dispatch({ kind: 'ifSetLink', name: 'vm1', iface: 'nosuch', state: 'up', config: true }), code('NOT_FOUND'));
    await engine.dispatch({ kind: 'start', name: 'vm1' });
    await assert.rejects(engine.dispatch({ kind: 'ifSetLink', name: 'vm1', iface: mac, state: 'up' }), code('UNSUPPORTED_OPERATION', /network interfaces/));
    await assert.rejects(engine.dispatch({ kind: 'attachDevice', name: 'vm1', xml: bridgeIface('52:54:00:00:00:bb') }), code('UNSUPPORTED_OPERATION'));
    await engine.dispatch({ kind: 'destroy', name: 'vm1' });
  });
});
