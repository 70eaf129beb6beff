/**
 * A network of forward mode 'bridge' on a Linux bridge of the host (made by the test, with its
 * own dnsmasq: tests/helpers/net-lab.ts): net-start only checks the bridge (a missing one is
 * BRIDGE_NOT_FOUND; an 802.1Qbh virtualport is refused clearly), a real guest with
 * <interface type='network'> gets its tap in that bridge and a lease from the lab's dnsmasq, its
 * live XML names the bridge; net-destroy leaves the bridge alone. After the file: no bridge, tap
 * or dnsmasq of the test is left.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { createHarness, type Harness } from '../lifecycle-harness.js';
import { GUEST_READY_MARKER, guestDomainXml, guestNetAppend, leaseLine } from '../../helpers/guest.js';
import { GuestShell } from '../../helpers/guest-shell.js';
import { linksNamed, startNetLab, type NetLab } from '../../helpers/net-lab.js';
import { until } from '../../helpers/wait.js';

const id = randomBytes(2).toString('hex');
const tag = `vkhb${id}`;
const BR = `${tag}br`;
const NET = `${tag}net`;
const GONE = `${tag}gone`;
const MAC = `52:54:00:8c:${id.slice(0, 2)}:01`;
const netXml = (name: string, bridge: string, extra = ''): string =>
  `<network><name>${name}</name><forward mode='bridge'/><bridge name='${bridge}'/>${extra}</network>`;

describe("networks of forward mode 'bridge' on a host Linux bridge", { timeout: 300_000 }, () => {
  let h: Harness;
  let lab: NetLab;
  before(async () => {
    const harness: { h?: Harness } = {};
    h = await createHarness({ resolveNetwork: (name) => (harness.h as Harness).engine.resolveNetwork(name) });
    harness.h = h;
    lab = await startNetLab(BR);
  });
  after(async () => {
    for (const r of h.engine.ctx.registry.all()) {
      if (r.runtime?.handle) await r.runtime.handle.destroy({ graceful: false }).catch(() => undefined);
    }
    for (const net of [NET, GONE]) await h.engine.dispatch({ kind: 'netDestroy', network: net }).catch(() => undefined);
    await h.close().catch(() => rm(h.root, { recursive: true, force: true }));
    await lab.stop();
    assert.deepEqual(await linksNamed(tag), [], 'no bridge or tap of the test is left');
  });

  it('net-start checks the bridge; a guest on it gets a lease there; net-destroy leaves the bridge', async () => {
    await h.engine.dispatch({ kind: 'netDefine', xml: netXml(GONE, `${tag}x`) });
    await assert.rejects(h.engine.dispatch({ kind: 'netStart', network: GONE }), { code: 'BRIDGE_NOT_FOUND' });
    await h.engine.dispatch({ kind: 'netDefine', xml: netXml(`${tag}vp`, BR, "<virtualport type='802.1Qbh'/>") });
    await assert.rejects(h.engine.dispatch({ kind: 'netStart', network: `${tag}vp` }), { code: 'XML_UNSUPPORTED' });
    await h.engine.dispatch({ kind: 'netUndefine', network: `${tag}vp` });

    await h.engine.dispatch({ kind: 'netDefine', xml: netXml(NET, BR) });
    await h.engine.dispatch({ kind: 'netStart', network: NET });
    assert.equal((await h.engine.dispatch({ kind: 'netGet', network: NET })).active, true);
    const name = `${tag}-g`;
    const iface = `<interface type='network'><source network='${NET}'/><mac address='${MAC}'/><model type='virtio'/></interface>`;
    await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml(name, { append: guestNetAppend(name), devices: iface }) });
    await h.engine.dispatch({ kind: 'start', name });
    await h.remember(name);
    const g = new GuestShell((await h.engine.dispatch({ kind: 'console', name })).stream);
    await g.waitFor(GUEST_READY_MARKER);
    const ip = await until('a DHCP lease on eth0', () => leaseLine('eth0').exec(g.text)?.[1], 120_000);
    assert.ok(ip.startsWith(lab.subnetPrefix), `${ip} is in the lab's subnet`);
    await g.check(`ping -c 2 -W 5 ${lab.gateway}`);
    assert.match(await h.engine.dispatch({ kind: 'dumpxml', name }), new RegExp(`<source network='${NET}' bridge='${BR}'/>`));
    await h.engine.dispatch({ kind: 'destroy', name });
    await h.engine.dispatch({ kind: 'netDestroy', network: NET });
    assert.deepEqual(await linksNamed(BR), [BR], 'the host bridge is left as it was');
  });
});
